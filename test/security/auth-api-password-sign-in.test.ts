// MLflow's users/create takes a password. On the gateway it must never become a way in: the account
// is recorded for the IdP identity of that name, the password is dropped, and neither Basic with it
// nor a later update-password opens anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, unique } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

describe('attack: signing in with a password set through MLflow users/create', () => {
  let stack: Stack;
  let adminBasic: string;
  const username = unique('pw-user');
  const password = 'a-password-an-attacker-chose-1234';

  beforeAll(async () => {
    stack = await startStack();
    const admin = await callerFor(stack, 'admin');
    await admin.get('experiments/search', { max_results: '1' });
    const adminUser = (await stack.server.gateway.store.users.getByUsername('admin'))!;
    const { token } = await stack.server.gateway.tokens.create(adminUser, { name: 'pw-test' }, { username: 'admin', requestId: null, clientIp: null });
    adminBasic = `Basic ${Buffer.from(`admin:${token}`).toString('base64')}`;
  });
  afterAll(async () => stack?.stop());

  const call = (method: string, path: string, auth: string, body?: unknown) => fetch(`${stack.gatewayUrl}${path}`, {
    method, headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

  it('creates the account without the password, and says so', async () => {
    const r = await call('POST', '/api/2.0/mlflow/users/create', adminBasic, { username, password });
    expect(r.status).toBe(200);
    const json = (await r.json()) as { user: { username: string }; password_stored: boolean; message: string };
    expect(json.user.username).toBe(username);
    expect(json.password_stored).toBe(false);
    expect(json.message).toMatch(/not stored/);
    expect(JSON.stringify(await stack.server.gateway.store.users.getByUsername(username))).not.toContain(password);
  });

  it('refuses Basic with that password on MLflow routes and on the auth API', async () => {
    const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    for (const path of ['/api/2.0/mlflow/experiments/search?max_results=1', '/api/2.0/mlflow/users/current']) {
      const r = await call('GET', path, basic);
      expect(r.status, path).toBe(401);
    }
  });

  it('refuses update-password (nothing changes) and non-administrators creating users', async () => {
    const r = await call('PATCH', '/api/2.0/mlflow/users/update-password', adminBasic, { username, password: `${password}-2` });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { gateway_code: string }).gateway_code).toBe('GW_AUTH_API_UNSUPPORTED');
    const bob = await callerFor(stack, 'bob');
    const denied = await bob.raw('POST', '/api/2.0/mlflow/users/create', { body: JSON.stringify({ username: unique('x'), password }), headers: { 'content-type': 'application/json' } });
    expect(denied.status).toBe(403);
    const signedIn = await bob.raw('GET', '/ajax-api/2.0/mlflow/users/current');
    expect(signedIn.json).toMatchObject({ user: { username: 'bob', is_admin: false }, is_basic_auth: false });
  });
});
