import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi } from '../support/admin-api.js';
import { postLogoutToken, signLogoutToken } from '../support/logout-token.js';
import { startReplica, within } from '../support/replica.js';
import { scim, scimToken } from '../support/scim.js';
import { bearer, signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// Two replicas share one store file and cache tokens, sessions and users for an hour: a SCIM
// deprovisioning and a back-channel logout received by replica A are enforced by replica B within
// a second all the same (the invalidation that A's writes publish), not after B's cache expires.
describe('deprovisioning and back-channel logout reach every replica', () => {
  let a: Stack;
  let b: Stack;
  let token: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-deprovision-'));
    const env = { GATEWAY_DATABASE_URL: `sqlite:${join(dir, 'gw.db')}`, GATEWAY_CACHE_TTL: '1h', GATEWAY_GRANT_CACHE_TTL: '1h' };
    a = await startStack({ env, backchannelLogout: true });
    b = await startReplica(a, env);
    ({ token } = await scimToken(a));
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  const whoamiOnB = (headers: Record<string, string>) => fetch(`${b.gatewayUrl}/_gateway/api/v1/whoami`, { headers: { accept: 'application/json', ...headers } }).then((r) => r.status);
  const sessionOf = (stack: Stack, browser: Awaited<ReturnType<typeof signIn>>['browser']) => ({ cookie: `${stack.config.cookieName}=${browser.cookie(stack.origin, stack.config.cookieName)}` });

  it('SCIM active=false on A: B refuses the person\'s session and personal token within 1 s', async () => {
    const created = await scim(a, token, 'POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'carol' });
    expect(created.status).toBe(201);
    const { browser } = await signIn(a, 'carol');
    const jwt = (await a.idp.getTokens('carol')).access_token;
    const pat = (await adminApi(a, 'POST', 'tokens', { token: jwt, body: { name: 'replica-check' } })).json.token as string;
    const cookie = sessionOf(a, browser);
    for (let i = 0; i < 2; i++) { // the second answer comes from B's caches
      expect(await whoamiOnB(bearer(pat))).toBe(200);
      expect(await whoamiOnB(cookie)).toBe(200);
    }
    const off = await scim(a, token, 'PATCH', `/Users/${created.json.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(off.status).toBe(200);
    expect(await within(1000, async () => (await whoamiOnB(bearer(pat))) === 401)).toBeLessThanOrEqual(1000);
    expect(await within(1000, async () => (await whoamiOnB(cookie)) === 401)).toBeLessThanOrEqual(1000);
  });

  it('a back-channel logout token received by A ends the session on B within 1 s', async () => {
    const { browser } = await signIn(a, 'bob');
    const cookie = sessionOf(a, browser);
    expect(await whoamiOnB(cookie)).toBe(200);
    expect(await whoamiOnB(cookie)).toBe(200);
    expect((await postLogoutToken(a, await signLogoutToken(a.idp, { sub: 'user-bob' }))).status).toBe(200);
    expect(await within(1000, async () => (await whoamiOnB(cookie)) === 401)).toBeLessThanOrEqual(1000);
  });
});
