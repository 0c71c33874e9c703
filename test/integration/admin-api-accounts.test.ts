import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi, type ApiAnswer } from '../support/admin-api.js';
import type { HttpBrowser } from '../support/http-browser.js';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// The account endpoints of the admin API (users/<name>, disable/enable, sessions, groups, access,
// openapi.json) per caller: admin, alice (MANAGE on experiment 301 and in team-a), bob (nothing).
describe('admin API: users, sessions, groups, access, OpenAPI', () => {
  let stack: Stack;
  const token: Record<string, string> = {};
  const OWNED = { resource_type: 'experiment', resource_id: '301' };
  let bobBrowser: HttpBrowser;

  beforeAll(async () => {
    stack = await startStack();
    for (const u of ['admin', 'alice', 'bob', 'carol']) {
      token[u] = (await stack.idp.getTokens(u)).access_token;
      await adminApi(stack, 'GET', 'users', { token: token[u]! });
    }
    const alice = await store().users.getByUsername('alice');
    await store().grants.set({ principalType: 'user', principal: alice!.id, resourceType: 'experiment', resourceId: '301', level: 'MANAGE' });
    await store().grants.set({ principalType: 'group', principal: 'team-b', resourceType: 'experiment', resourceId: '301', level: 'READ' });
    await store().grants.set({ principalType: 'group', principal: 'ghost-group', resourceType: 'registered_model', resourceId: 'm', level: 'EDIT' });
    bobBrowser = (await signIn(stack, 'bob')).browser;
  });
  afterAll(async () => stack?.stop());
  const store = () => stack.server.gateway.store;
  const call = (method: string, path: string, who: string | undefined, body?: unknown) =>
    adminApi(stack, method, path, { ...(who ? { token: token[who]! } : {}), ...(body !== undefined ? { body } : {}) });
  const expectError = (a: ApiAnswer, status: number, code: string, message?: RegExp) => {
    expect(a.status, JSON.stringify(a.json)).toBe(status);
    expect(a.json.gateway_code).toBe(code);
    if (message) expect(a.json.message).toMatch(message);
  };
  const bobCookie = (method: string, path: string, headers: Record<string, string> = {}) =>
    bobBrowser.request(`${stack.gatewayUrl}/_gateway/api/v1/${path}`, { method, headers });

  describe('users/<username>', () => {
    it('admin reads anyone: groups with their grants, grants, tokens, sessions (no secrets)', async () => {
      const a = await call('GET', 'users/alice', 'admin');
      expect(a.status).toBe(200);
      expect(a.json.user).toMatchObject({ username: 'alice', groups: ['team-a'], disabled: false });
      expect(a.json.grants).toEqual([expect.objectContaining({ resource_id: '301', level: 'MANAGE' })]);
      expect(a.json.groups).toEqual([{ name: 'team-a', admin_group: false, grants: [] }]);
      expect(a.json).toHaveProperty('tokens');
      const bob = await call('GET', 'users/bob', 'admin');
      expect(bob.json.sessions).toEqual([expect.objectContaining({ id: expect.any(String), ip: '127.0.0.1', current: false })]);
      expect(JSON.stringify(bob.json)).not.toMatch(/secret|sealed/i);
    });

    it('a user reads themselves, not others; unknown users are 404 for admins', async () => {
      expect((await call('GET', 'users/bob', 'bob')).status).toBe(200);
      expectError(await call('GET', 'users/alice', 'bob'), 403, 'GW_DENIED', /Only administrators may read other users/);
      expectError(await call('GET', 'users/nobody-such', 'admin'), 404, 'GW_NOT_FOUND');
      expectError(await call('GET', 'users/alice', undefined), 401, 'GW_UNAUTHENTICATED');
    });
  });

  describe('sessions', () => {
    it('a user lists their own sessions (the current one marked) and may not list or end others\'', async () => {
      const res = await bobCookie('GET', 'sessions');
      const json = (await res.json()) as { user: string; sessions: { id: string; current: boolean }[] };
      expect(json.user).toBe('bob');
      expect(json.sessions).toEqual([expect.objectContaining({ current: true })]);
      expectError(await call('GET', 'sessions?user=bob', 'alice'), 403, 'GW_DENIED');
      expectError(await call('DELETE', `sessions/${json.sessions[0]!.id}`, 'alice'), 404, 'GW_NOT_FOUND');
    });

    it('refuses a cross-site DELETE of a session riding on the cookie (CSRF)', async () => {
      const id = (await store().sessions.listForUser((await store().users.getByUsername('bob'))!.id))[0]!.id;
      const res = await bobCookie('DELETE', `sessions/${id}`, { 'sec-fetch-site': 'cross-site' });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ gateway_code: 'GW_CSRF' });
      expect(await store().sessions.get(id)).toBeDefined();
    });

    it('an admin lists everyone\'s sessions at once (all=true, with their users); a non-admin may not (no listing of others by the back door)', async () => {
      const all = await call('GET', 'sessions?all=true', 'admin');
      expect(all.status).toBe(200);
      expect(all.json.sessions).toEqual(expect.arrayContaining([expect.objectContaining({ user: 'bob', id: expect.any(String), current: false })]));
      expect(JSON.stringify(all.json)).not.toMatch(/secret|sealed/i);
      expectError(await call('GET', 'sessions?all=true', 'bob'), 403, 'GW_DENIED');
      expect((await bobCookie('GET', 'sessions?all=true')).status).toBe(403);
      expectError(await call('GET', 'sessions?all=true&user=bob', 'admin'), 400, 'GW_BAD_REQUEST');
      expectError(await call('GET', 'sessions?all=yes', 'admin'), 400, 'GW_BAD_REQUEST');
    });

    it('an admin lists and ends another user\'s session; the browser is signed out at once', async () => {
      const listed = await call('GET', 'sessions?user=bob', 'admin');
      expect(listed.json.sessions).toHaveLength(1);
      const del = await call('DELETE', `sessions/${listed.json.sessions[0].id}`, 'admin');
      expect(del.status).toBe(204);
      const after = await bobCookie('GET', 'sessions');
      expect(after.status).toBe(401);
      const events = await store().audit.list({ limit: 50, action: 'session.revoke' });
      expect(events).toEqual([expect.objectContaining({ actor: 'admin', resource: 'user:bob', decision: 'allow' })]);
    });

    it('a user ends their own session', async () => {
      const browser = (await signIn(stack, 'carol')).browser;
      const list = (await (await browser.get(`${stack.gatewayUrl}/_gateway/api/v1/sessions`)).json()) as { sessions: { id: string }[] };
      const res = await browser.request(`${stack.gatewayUrl}/_gateway/api/v1/sessions/${list.sessions[0]!.id}`, { method: 'DELETE', headers: { 'sec-fetch-site': 'same-origin' } });
      expect(res.status).toBe(204);
      expect((await browser.get(`${stack.gatewayUrl}/_gateway/api/v1/sessions`)).status).toBe(401);
    });
  });

  describe('disable / enable', () => {
    it('refuses a cross-site disable riding on an administrator\'s cookie (CSRF)', async () => {
      const admin = (await signIn(stack, 'admin')).browser;
      const res = await admin.request(`${stack.gatewayUrl}/_gateway/api/v1/users/bob/disable`, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ gateway_code: 'GW_CSRF' });
      expect((await store().users.getByUsername('bob'))?.disabled).toBe(false);
      const same = await admin.request(`${stack.gatewayUrl}/_gateway/api/v1/users/bob/enable`, { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } });
      expect(same.status).toBe(200);
    });

    it('only administrators disable, and never themselves', async () => {
      expectError(await call('POST', 'users/bob/disable', 'alice'), 403, 'GW_DENIED', /Only administrators may disable users/);
      expectError(await call('POST', 'users/admin/disable', 'admin'), 403, 'GW_DENIED', /your own account/);
    });

    it('disabling ends the sessions and refuses the user\'s JWT at once (cache invalidated); enabling lets them back', async () => {
      const browser = (await signIn(stack, 'carol')).browser;
      expect((await call('GET', 'users/carol', 'carol')).status).toBe(200); // carol's JWT is cached now
      const off = await call('POST', 'users/carol/disable', 'admin');
      expect(off.status).toBe(200);
      expect(off.json).toMatchObject({ user: { username: 'carol', disabled: true }, sessions_ended: 1 });
      expect((await browser.get(`${stack.gatewayUrl}/_gateway/api/v1/sessions`)).status).toBe(401);
      expectError(await call('GET', 'users/carol', 'carol'), 403, 'GW_USER_DISABLED');
      const on = await call('POST', 'users/carol/enable', 'admin');
      expect(on.json.user.disabled).toBe(false);
      expect((await call('GET', 'users/carol', 'carol')).status).toBe(200);
      const actions = (await store().audit.list({ limit: 50, actor: 'admin', action: 'user.*', resource: 'user:carol' })).map((e) => e.action);
      expect(actions).toEqual(['user.enable', 'user.disable']);
    });
  });

  describe('groups', () => {
    it('admin: groups from users and from grants, with members and grants', async () => {
      const a = await call('GET', 'groups', 'admin');
      expect(a.status).toBe(200);
      const byName = Object.fromEntries(a.json.groups.map((g: { name: string }) => [g.name, g]));
      expect(Object.keys(byName)).toEqual(expect.arrayContaining(['team-a', 'team-b', 'mlflow-admins', 'ghost-group']));
      expect(byName['team-a'].members).toEqual(['alice', 'carol']);
      expect(byName['mlflow-admins']).toMatchObject({ admin_group: true, members: ['admin'] });
      expect(byName['ghost-group']).toMatchObject({ members: [], grants: [expect.objectContaining({ resource_type: 'registered_model', level: 'EDIT' })] });
    });

    it('non-admins may not list groups', async () => {
      expectError(await call('GET', 'groups', 'alice'), 403, 'GW_DENIED');
    });
  });

  describe('access (who can access a resource)', () => {
    const q = new URLSearchParams(OWNED).toString();
    it('owner: every user with a level and its source, and the groups that contribute', async () => {
      const a = await call('GET', `access?${q}`, 'alice');
      expect(a.status, JSON.stringify(a.json)).toBe(200);
      expect(a.json.default_level).toBe('NO_PERMISSIONS');
      const users = Object.fromEntries(a.json.users.map((u: { username: string }) => [u.username, u]));
      expect(users.admin).toMatchObject({ level: 'MANAGE', source: 'admin' });
      expect(users.alice).toMatchObject({ level: 'MANAGE', source: 'user-grant' });
      expect(users.carol).toMatchObject({ level: 'READ', source: 'group-grant' });
      expect(users.bob).toBeUndefined();
      expect(a.json.groups).toEqual([expect.objectContaining({ group: 'team-b', level: 'READ', source: 'group-grant' })]);
    });

    it('a pattern rule shows up with its source', async () => {
      const rule = await store().grants.addPattern({ principalType: 'group', principal: 'team-a', resourceType: 'registered_model', matcher: 'glob', pattern: 'team-a-*', level: 'EDIT' });
      const a = await call('GET', 'access?resource_type=registered_model&resource_id=team-a-model', 'admin');
      expect(a.json.groups).toEqual([expect.objectContaining({ group: 'team-a', level: 'EDIT', source: 'pattern' })]);
      expect(a.json.users.find((u: { username: string }) => u.username === 'alice')).toMatchObject({ level: 'EDIT', source: 'pattern' });
      await store().grants.deletePattern(rule.id);
    });

    it('non-owner is refused; bad input is 400', async () => {
      expectError(await call('GET', `access?${q}`, 'bob'), 403, 'GW_DENIED', /needs MANAGE/);
      expectError(await call('GET', 'access?resource_type=bogus&resource_id=1', 'admin'), 400, 'GW_BAD_REQUEST', /Unknown resource_type/);
      expectError(await call('GET', `access?${q}&action=write`, 'admin'), 400, 'GW_BAD_REQUEST', /Unknown action/);
    });
  });

  describe('OpenAPI', () => {
    it('describes every registered endpoint of the API, with the error shape', async () => {
      const res = await fetch(`${stack.gatewayUrl}/_gateway/api/v1/openapi.json`);
      expect(res.status).toBe(200);
      const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.components.schemas.Error).toMatchObject({ required: ['error_code', 'message', 'gateway_code'] });
      const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
      const registered = registeredApiRoutes(stack);
      expect(registered.length).toBeGreaterThan(20);
      expect(registered.filter((r) => !documented.has(r))).toEqual([]);
      for (const r of documented) {
        const [method, path] = r.split(' ') as [string, string];
        expect(stack.server.app.hasRoute({ method, url: `/_gateway/api/v1${path.replace(/\{(\w+)\}/g, ':$1')}` }), r).toBe(true);
      }
    });
  });
});

/** "GET /users/{username}"… for every route fastify has under the API prefix (its route tree, flattened). */
function registeredApiRoutes(stack: Stack): string[] {
  const out: string[] = [];
  const parents: string[] = [];
  for (const line of stack.server.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^(.*?)[├└]── (\S+) \(([^)]+)\)/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    parents.length = depth;
    const full = `${parents.join('')}${m[2]}`;
    parents.push(full.slice(parents.join('').length));
    if (!full.startsWith('/_gateway/api/v1/')) continue;
    const path = full.slice('/_gateway/api/v1'.length).replace(/:(\w+)/g, '{$1}');
    for (const method of m[3]!.split(',').map((x) => x.trim())) if (method !== 'HEAD') out.push(`${method} ${path}`);
  }
  return out;
}
