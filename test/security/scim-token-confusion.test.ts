import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi } from '../support/admin-api.js';
import { scim, scimToken } from '../support/scim.js';
import { bearer } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// SCIM tokens and user credentials never stand in for each other; a SCIM token is refused from a
// client address outside its restriction, after revocation, and never appears in a log line.
describe('SCIM token confusion and leaks', () => {
  let stack: Stack;
  let token: string;
  let admin: string;
  beforeAll(async () => {
    stack = await startStack();
    ({ token, admin } = await scimToken(stack));
  });
  afterAll(async () => stack?.stop());

  it('personal-token-at-scim: a personal access token or an IdP JWT (even an administrator\'s) is refused by the SCIM endpoint', async () => {
    const pat = await adminApi(stack, 'POST', 'tokens', { token: admin, body: { name: 'not-for-scim' } });
    for (const credential of [pat.json.token as string, admin]) {
      const res = await scim(stack, credential, 'GET', '/Users');
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="scim"');
      expect(res.json).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' });
    }
    expect((await fetch(`${stack.gatewayUrl}/_gateway/scim/v2/Users`)).status).toBe(401);
  });

  it('scim-token-at-mlflow: a SCIM token opens neither MLflow nor the admin API', async () => {
    expect((await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: bearer(token) })).status).toBe(401);
    expect((await adminApi(stack, 'GET', 'scim', { token })).status).toBe(401);
    expect((await fetch(`${stack.gatewayUrl}/_gateway/api/v1/whoami`, { headers: bearer(token) })).status).toBe(401);
  });

  it('forged-secret: the right token id with another secret is refused like an unknown token', async () => {
    const forged = `${token.slice(0, -4)}AAAA`;
    const res = await scim(stack, forged, 'GET', '/Users');
    expect(res.status).toBe(401);
    expect(res.json.detail).toBe('The SCIM token is not valid');
  });

  it('address-restriction: a token restricted to 10.0.0.0/8 is refused from 127.0.0.1 (403); one for 127.0.0.0/8 works', async () => {
    const far = await scimToken(stack, { name: 'office-only', allowedCidrs: ['10.0.0.0/8', '2001:db8::/32'] });
    expect((await scim(stack, far.token, 'GET', '/Users')).status).toBe(403);
    const near = await scimToken(stack, { name: 'loopback', allowedCidrs: ['127.0.0.0/8'] });
    expect((await scim(stack, near.token, 'GET', '/Users')).status).toBe(200);
    const bad = await adminApi(stack, 'POST', 'scim/tokens', { token: admin, body: { name: 'x', allowed_cidrs: ['10.0.0.0/99'] } });
    expect(bad.status).toBe(400);
  });

  it('revoked-token: a revoked SCIM token is refused at once', async () => {
    const t = await scimToken(stack, { name: 'short-lived' });
    expect((await scim(stack, t.token, 'GET', '/Users')).status).toBe(200);
    expect((await adminApi(stack, 'DELETE', `scim/tokens/${t.id}`, { token: admin })).status).toBe(200);
    expect((await scim(stack, t.token, 'GET', '/Users')).status).toBe(401);
  });

  it('secret-in-logs: no log line carries a SCIM token secret', async () => {
    await scim(stack, token, 'POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'log-check' });
    const secret = token.split('_')[2]!;
    expect(stack.logs.some((l) => l.includes(secret))).toBe(false);
    const rows = await stack.server.gateway.store.scim.listTokens();
    expect(JSON.stringify(rows.map((r) => ({ ...r, secretHash: r.secretHash.toString('hex') })))).not.toContain(secret);
  });
});
