import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src/devtools/idp/index.js';
import { adminApi, type ApiAnswer } from '../support/admin-api.js';
import { startStack, type Stack } from '../support/stack.js';

// Sharing from the admin API (issue 17): with people who have not signed in yet (by username or
// email), groups created ahead of use and suggested, and undo of a grant change — also one that
// took away the caller's own MANAGE. alice manages experiment 501; bob manages nothing; erin and
// frank have never signed in (erin's email is verified at the IdP).
describe('admin API: sharing ahead of sign-in, groups, undo', () => {
  let stack: Stack;
  const token: Record<string, string> = {};
  const EXP = { resource_type: 'experiment', resource_id: '501' };

  beforeAll(async () => {
    stack = await startStack({
      idp: { users: [...DEMO_USERS, { username: 'erin', password: 'erin-pass', email: 'erin@example.com', name: 'Erin', groups: ['team-e'] }] },
    });
    for (const u of ['admin', 'alice', 'bob']) {
      token[u] = (await stack.idp.getTokens(u)).access_token;
      await adminApi(stack, 'GET', 'whoami', { token: token[u]! });
    }
    const alice = await store().users.getByUsername('alice');
    await store().grants.set({ principalType: 'user', principal: alice!.id, resourceType: 'experiment', resourceId: '501', level: 'MANAGE' });
  });
  afterAll(async () => stack?.stop());
  const store = () => stack.server.gateway.store;
  const call = (method: string, path: string, who: string, body?: unknown) => adminApi(stack, method, path, { token: token[who]!, ...(body !== undefined ? { body } : {}) });
  const share = (who: string, principal: string, level: string, principal_type = 'user') => call('PUT', 'grants', who, { principal_type, principal, ...EXP, level });
  const expectError = (a: ApiAnswer, status: number, code: string, message?: RegExp) => {
    expect(a.status, JSON.stringify(a.json)).toBe(status);
    expect(a.json.gateway_code).toBe(code);
    if (message) expect(a.json.message).toMatch(message);
  };

  describe('sharing with people who have not signed in yet', () => {
    it('a manager shares with an unknown username: the person is recorded ahead of sign-in, the answer looks like any other share', async () => {
      const known = await share('alice', 'bob', 'READ');
      const fresh = await share('alice', 'frank', 'READ');
      expect(fresh.status, JSON.stringify(fresh.json)).toBe(200);
      expect(Object.keys(fresh.json).sort()).toEqual(Object.keys(known.json).sort()); // nothing says frank was unknown
      expect(fresh.json.grant).toMatchObject({ principal_type: 'user', principal: 'frank', level: 'READ' });
      const frank = await store().users.getByUsername('frank');
      expect(frank).toMatchObject({ kind: 'person', lastLoginAt: null });
      const audit = await store().audit.list({ limit: 5, action: 'user.create' });
      expect(audit[0]).toMatchObject({ actor: 'alice', resource: 'user:frank' });
    });

    it('administrators are told the account was recorded now', async () => {
      const a = await share('admin', 'grace', 'READ');
      expect(a.json.recorded_ahead_of_sign_in).toBe(true);
      expect((await share('admin', 'grace', 'EDIT')).json.recorded_ahead_of_sign_in).toBeUndefined();
    });

    it('by email: a person whose verified email it is gets the grant; an unseen email is recorded and joined at its first verified sign-in', async () => {
      const bob = await share('alice', 'BOB@example.com', 'READ'); // bob signed in with this email verified
      expect(bob.json.grant.principal).toBe('bob');
      const erin = await share('alice', 'erin@example.com', 'EDIT');
      expect(erin.json.grant.principal).toBe('erin@example.com');
      const pending = await store().users.getByUsername('erin@example.com');
      // erin's first call (a bearer token: same sign-in rules) joins the account with the grant.
      const erinToken = (await stack.idp.getTokens('erin')).access_token;
      const me = await adminApi(stack, 'GET', 'whoami', { token: erinToken });
      expect(me.status).toBe(200);
      const joined = await store().users.getByUsername('erin');
      expect(joined?.id).toBe(pending!.id);
      const grants = await call('GET', `grants?resource_type=experiment&resource_id=501`, 'alice');
      expect(grants.json.grants).toContainEqual(expect.objectContaining({ principal: 'erin', level: 'EDIT' }));
    });

    it('refuses text that is neither a username nor an email, and a caller without MANAGE records nobody', async () => {
      expectError(await share('alice', 'Frank Example', 'READ'), 400, 'GW_BAD_REQUEST', /neither a username nor an email/);
      expectError(await share('bob', 'henry', 'READ'), 403, 'GW_DENIED', /needs MANAGE/);
      expect(await store().users.getByUsername('henry')).toBeUndefined();
    });
  });

  describe('groups ahead of use', () => {
    it('administrators create, list and forget groups; duplicates and non-administrators are refused', async () => {
      const made = await call('POST', 'groups', 'admin', { name: 'team-vision', description: 'Computer vision' });
      expect(made.status, JSON.stringify(made.json)).toBe(201);
      expectError(await call('POST', 'groups', 'admin', { name: 'team-vision' }), 400, 'GW_ALREADY_EXISTS', /created before/);
      expectError(await call('POST', 'groups', 'admin', { name: ' team-x' }), 400, 'GW_BAD_REQUEST', /spaces/);
      expectError(await call('POST', 'groups', 'alice', { name: 'team-z' }), 403, 'GW_DENIED');
      const groups = await call('GET', 'groups', 'admin');
      expect(groups.json.groups).toContainEqual(expect.objectContaining({ name: 'team-vision', members: [], created: expect.objectContaining({ by: 'admin', description: 'Computer vision' }) }));
      expect((await store().audit.list({ limit: 3, action: 'group.create' }))[0]).toMatchObject({ actor: 'admin', resource: 'group:team-vision' });
    });

    it('suggestions: administrators get every known group (complete), others only their own (no discovery)', async () => {
      const admin = await call('GET', 'group-suggestions', 'admin');
      expect(admin.json.complete).toBe(true);
      expect(admin.json.groups).toEqual(expect.arrayContaining(['team-vision', 'team-a', 'mlflow-admins']));
      const alice = await call('GET', 'group-suggestions', 'alice');
      expect(alice.json).toEqual({ groups: ['team-a'], complete: false });
      expect((await call('DELETE', 'groups/team-vision', 'admin')).status).toBe(200);
      expect((await call('GET', 'group-suggestions', 'admin')).json.groups).not.toContain('team-vision');
      expectError(await call('DELETE', 'groups/team-vision', 'admin'), 404, 'GW_NOT_FOUND');
    });
  });

  describe('undo', () => {
    it('a manager who lowered their own grant (losing MANAGE) undoes it once; the ticket is theirs only', async () => {
      const lowered = await share('alice', 'alice', 'READ');
      expect(lowered.status, JSON.stringify(lowered.json)).toBe(200);
      expect(lowered.json.previous_level).toBe('MANAGE');
      expectError(await share('alice', 'alice', 'MANAGE'), 403, 'GW_DENIED'); // no longer a manager
      expectError(await call('POST', 'grants/undo', 'bob', { undo: lowered.json.undo }), 400, 'GW_BAD_REQUEST', /not valid/);
      const undone = await call('POST', 'grants/undo', 'alice', { undo: lowered.json.undo });
      expect(undone.status, JSON.stringify(undone.json)).toBe(200);
      expect(undone.json.restored).toMatchObject({ principal: 'alice', level: 'MANAGE' });
      expectError(await call('POST', 'grants/undo', 'alice', { undo: lowered.json.undo }), 409, 'GW_CONFLICT');
      expect((await store().audit.list({ limit: 3, action: 'grant.undo' }))[0]).toMatchObject({ actor: 'alice', resource: 'experiment:501' });
    });

    it('an undo after someone else changed the grant changes nothing; a removal is undone by recreating the grant', async () => {
      const set = await share('alice', 'team-a', 'READ', 'group');
      await call('PUT', 'grants', 'admin', { principal_type: 'group', principal: 'team-a', ...EXP, level: 'EDIT' });
      expectError(await call('POST', 'grants/undo', 'alice', { undo: set.json.undo }), 409, 'GW_CONFLICT', /changed since/);
      const removed = await call('DELETE', 'grants', 'alice', { principal_type: 'group', principal: 'team-a', ...EXP });
      expect(removed.status, JSON.stringify(removed.json)).toBe(200);
      expect((await call('POST', 'grants/undo', 'alice', { undo: removed.json.undo })).json.restored).toMatchObject({ principal: 'team-a', level: 'EDIT' });
      expectError(await call('POST', 'grants/undo', 'alice', { undo: 'forged' }), 400, 'GW_BAD_REQUEST');
    });
  });

  it('the OpenAPI document has the new endpoints', async () => {
    const doc = (await adminApi(stack, 'GET', 'openapi.json')).json;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/grants/undo', '/groups/{name}', '/group-suggestions']));
    expect(doc.paths['/groups'].post).toBeDefined();
  });
});
