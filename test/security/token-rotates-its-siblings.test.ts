import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, unique, type ApiCaller } from '../support/mlflow-api.js';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// A leaked personal access token must not outlive its revocation: it may not rotate (renew) its
// owner's other tokens — which would hand it a fresh secret and expiry — any more than mint new
// ones. Two tokens that could rotate each other would live forever. Rotation, like minting, needs
// a signed-in session or an IdP token.
interface TokenInfo { id: string; token: string; expires_at: string | null }

describe('a token rotates its siblings', () => {
  let stack: Stack;
  let alice: ApiCaller;
  let admin: ApiCaller;

  beforeAll(async () => {
    stack = await startStack({ env: { GATEWAY_AUTH_FAILURE_LIMIT: '1000' } });
    [alice, admin] = await Promise.all([callerFor(stack, 'alice'), callerFor(stack, 'admin')]);
  });
  afterAll(async () => stack?.stop());

  const mint = async (caller: ApiCaller, path = '/_gateway/api/v1/tokens'): Promise<TokenInfo> => {
    const res = await caller.raw('POST', path, { body: JSON.stringify({ name: unique('t') }), headers: { 'content-type': 'application/json' } });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    return res.json as TokenInfo;
  };
  const withToken = (authorization: string, method: string, path: string) =>
    fetch(`${stack.gatewayUrl}${path}`, { method, headers: { authorization, 'content-type': 'application/json' }, body: '{}' });
  const basic = (user: string, token: string) => `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;

  it('token-rotates-sibling: a personal token (Bearer or Basic) cannot rotate another token of its owner; the sibling keeps its secret', async () => {
    const leaked = await mint(alice);
    const sibling = await mint(alice);
    for (const authorization of [`Bearer ${leaked.token}`, basic('alice', leaked.token)]) {
      const res = await withToken(authorization, 'POST', `/_gateway/api/v1/tokens/${sibling.id}/rotate`);
      expect(res.status).toBe(403);
      const body = (await res.json()) as { gateway_code: string; message: string; token?: string };
      expect(body.gateway_code).toBe('GW_DENIED');
      expect(body.message).toMatch(/rotated from a signed-in session or with an IdP token/);
      expect(body.token).toBeUndefined();
    }
    // The sibling still works with its old secret: nothing was rotated.
    expect((await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: `Bearer ${sibling.token}` } })).status).toBe(200);
  });

  it('token-rotates-itself: and not itself either', async () => {
    const t = await mint(alice);
    expect((await withToken(`Bearer ${t.token}`, 'POST', `/_gateway/api/v1/tokens/${t.id}/rotate`)).status).toBe(403);
  });

  it("admin-token-rotates-others: an administrator's personal token cannot rotate anyone's token, nor mint service-account tokens", async () => {
    const adminToken = await mint(admin);
    const victim = await mint(alice);
    expect((await withToken(`Bearer ${adminToken.token}`, 'POST', `/_gateway/api/v1/tokens/${victim.id}/rotate`)).status).toBe(403);
    const account = unique('sa');
    const created = await admin.raw('POST', '/_gateway/api/v1/service-accounts', { body: JSON.stringify({ name: account }), headers: { 'content-type': 'application/json' } });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const saToken = await mint(admin, `/_gateway/api/v1/service-accounts/${account}/tokens`);
    expect((await withToken(`Bearer ${adminToken.token}`, 'POST', `/_gateway/api/v1/service-accounts/${account}/tokens`)).status).toBe(403);
    expect((await withToken(`Bearer ${adminToken.token}`, 'POST', `/_gateway/api/v1/tokens/${saToken.id}/rotate`)).status).toBe(403);
  });

  it('rotation from an interactive sign-in still works: IdP token and browser session', async () => {
    const t = await mint(alice);
    const byJwt = await alice.raw('POST', `/_gateway/api/v1/tokens/${t.id}/rotate`);
    expect(byJwt.status, JSON.stringify(byJwt.json)).toBe(200);
    expect(byJwt.json.token).toMatch(/^mog_/);
    const { browser } = await signIn(stack, 'alice');
    const bySession = await browser.request(`${stack.gatewayUrl}/_gateway/api/v1/tokens/${t.id}/rotate`, { method: 'POST', headers: { origin: stack.origin } });
    expect(bySession.status).toBe(200);
    expect(((await bySession.json()) as TokenInfo).token).not.toBe(byJwt.json.token);
  });
});
