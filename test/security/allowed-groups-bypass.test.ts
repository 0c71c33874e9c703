import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// Attack: a user the IdP knows but who is outside OIDC_ALLOWED_GROUPS (bob, no groups) tries to use
// the gateway anyway, through the browser or with a perfectly valid token from the same IdP.
const API = '/api/2.0/mlflow/experiments/search?max_results=1';

describe('allowed-groups bypass', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { OIDC_ALLOWED_GROUPS: 'team-a' } });
  });
  afterAll(async () => stack?.stop());

  const callWithToken = (token: string) => fetch(`${stack.gatewayUrl}${API}`, { headers: { authorization: `Bearer ${token}` } });
  const hasSession = (b: Awaited<ReturnType<typeof signIn>>['browser']) => b.cookie(stack.origin, stack.config.cookieName) !== undefined;

  it('outsider-browser-sign-in: the callback answers 403 GW_FORBIDDEN_GROUP and creates no session or user', async () => {
    const { browser, result } = await signIn(stack, 'bob');
    expect(result.url.startsWith(`${stack.gatewayUrl}/_gateway/callback?`)).toBe(true);
    expect(result.response.status).toBe(403);
    const page = await result.response.text();
    expect(page).toContain('GW_FORBIDDEN_GROUP');
    expect(page).toContain('bob is not in a group allowed to use MLflow (team-a)');
    expect(hasSession(browser)).toBe(false);
    expect((await browser.get(`${stack.gatewayUrl}${API}`, { accept: 'application/json' })).status).toBe(401);
    expect(await stack.server.gateway.store.users.getByUsername('bob')).toBeUndefined();
  });

  it('outsider-bearer-token: a valid IdP token of a user outside the allowed groups gets 403 GW_FORBIDDEN_GROUP', async () => {
    const { access_token, id_token } = await stack.idp.getTokens('bob');
    for (const token of [access_token, id_token]) {
      const res = await callWithToken(token);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ gateway_code: 'GW_FORBIDDEN_GROUP', message: expect.stringMatching(/bob is not in a group allowed/) });
    }
    expect(await stack.server.gateway.store.users.getByUsername('bob')).toBeUndefined();
  });

  it('members of an allowed group pass, in the browser and with a token (control)', async () => {
    const { browser, result } = await signIn(stack, 'alice');
    expect(result.response.status).toBe(200);
    expect((await browser.get(`${stack.gatewayUrl}${API}`, { accept: 'application/json' })).status).toBe(200);
    expect((await callWithToken((await stack.idp.getTokens('carol')).access_token)).status).toBe(200);
  });

  it('administrators always pass, though not in an allowed group', async () => {
    const { browser, result } = await signIn(stack, 'admin');
    expect(result.response.status).toBe(200);
    const who = await browser.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`);
    expect(await who.json()).toMatchObject({ username: 'admin', groups: ['mlflow-admins'], is_admin: true });
    expect((await callWithToken((await stack.idp.getTokens('admin')).access_token)).status).toBe(200);
  });
});
