import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpBrowser } from '../support/http-browser.js';
import { adminApi, type ApiAnswer } from '../support/admin-api.js';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// The admin API against the real gateway and the real IdP, mounted under a sub-path. Four callers:
// admin (group mlflow-admins), alice (holds MANAGE on experiment 101, set directly in the store),
// bob (holds nothing) and nobody (anonymous).
describe('admin API', () => {
  let stack: Stack;
  const token: Record<string, string> = {};
  const OWNED = { resource_type: 'experiment', resource_id: '101' };
  const OTHER = { resource_type: 'experiment', resource_id: '202' };

  beforeAll(async () => {
    stack = await startStack({ basePath: '/mlflow' });
    for (const u of ['admin', 'alice', 'bob', 'carol']) {
      token[u] = (await stack.idp.getTokens(u)).access_token;
      // The first authenticated call records the user (grants name users that the gateway knows).
      await adminApi(stack, 'GET', 'users', { token: token[u]! });
    }
    const alice = await store().users.getByUsername('alice');
    await store().grants.set({ principalType: 'user', principal: alice!.id, resourceType: 'experiment', resourceId: '101', level: 'MANAGE' });
  });
  afterAll(async () => stack?.stop());
  const store = () => stack.server.gateway.store;
  const call = (method: string, path: string, who: string | undefined, body?: unknown, headers?: Record<string, string>) =>
    adminApi(stack, method, path, { ...(who ? { token: token[who]! } : {}), ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
  const q = (o: Record<string, string>) => new URLSearchParams(o).toString();
  const expectError = (a: ApiAnswer, status: number, code: string, message?: RegExp) => {
    expect(a.status, JSON.stringify(a.json)).toBe(status);
    expect(a.json.gateway_code).toBe(code);
    if (message) expect(a.json.message).toMatch(message);
  };

  describe('anonymous', () => {
    const endpoints: [string, string, unknown?][] = [
      ['GET', `grants?${q(OWNED)}`],
      ['PUT', 'grants', { ...OWNED, principal_type: 'user', principal: 'bob', level: 'READ' }],
      ['DELETE', 'grants', { ...OWNED, principal_type: 'user', principal: 'alice' }],
      ['GET', 'patterns'],
      ['POST', 'patterns', { principal_type: 'group', principal: 'x', resource_type: 'experiment', matcher: 'glob', pattern: '*', level: 'MANAGE' }],
      ['DELETE', 'patterns/pr_x'],
      ['PATCH', 'patterns/pr_x', { level: 'MANAGE' }],
      ['POST', 'explain', { user: 'alice', action: 'read', resource: { type: 'experiment', id: '101' } }],
      ['GET', 'users'],
    ];
    it.each(endpoints)('%s %s → 401 JSON with WWW-Authenticate, even for a browser', async (method, path, body) => {
      const a = await call(method, path, undefined, body, { accept: 'text/html' });
      expectError(a, 401, 'GW_UNAUTHENTICATED');
      expect(a.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(a.headers.get('content-type')).toMatch(/application\/json/);
    });

    it('changes nothing', async () => {
      expect(await store().grants.listForResource('experiment', '101')).toHaveLength(1);
      expect(await store().grants.listPatterns()).toEqual([]);
    });
  });

  describe('grants', () => {
    it('admin: sets, lists by resource and by principal, changes and deletes a grant', async () => {
      const put = await call('PUT', 'grants', 'admin', { ...OTHER, principal_type: 'user', principal: 'bob', level: 'READ' });
      expect(put.status).toBe(200);
      expect(put.json).toMatchObject({ grant: { principal_type: 'user', principal: 'bob', resource_type: 'experiment', resource_id: '202', level: 'READ' }, previous_level: null });
      const raised = await call('PUT', 'grants', 'admin', { ...OTHER, principal_type: 'user', principal: 'bob', level: 'EDIT' });
      expect(raised.json.previous_level).toBe('READ');
      await call('PUT', 'grants', 'admin', { ...OTHER, principal_type: 'group', principal: 'team-b', level: 'USE' });

      const byResource = await call('GET', `grants?${q(OTHER)}`, 'admin');
      expect(byResource.status).toBe(200);
      expect(byResource.json.grants.map((g: { principal: string; level: string }) => `${g.principal}:${g.level}`)).toEqual(['team-b:USE', 'bob:EDIT']);
      const byUser = await call('GET', `grants?${q({ principal_type: 'user', principal: 'bob' })}`, 'admin');
      expect(byUser.json).toMatchObject({ principal: { type: 'user', name: 'bob' }, grants: [{ resource_id: '202', level: 'EDIT' }] });
      const byGroup = await call('GET', `grants?${q({ principal_type: 'group', principal: 'team-b' })}`, 'admin');
      expect(byGroup.json.grants).toEqual([{ principal_type: 'group', principal: 'team-b', resource_type: 'experiment', resource_id: '202', level: 'USE' }]);

      // DELETE takes the key in the body or in the query string.
      const del = await call('DELETE', 'grants', 'admin', { ...OTHER, principal_type: 'user', principal: 'bob' });
      expect(del.json).toMatchObject({ deleted: true, previous_level: 'EDIT' });
      const delQuery = await call('DELETE', `grants?${q({ ...OTHER, principal_type: 'group', principal: 'team-b' })}`, 'admin');
      expect(delQuery.json).toMatchObject({ deleted: true, previous_level: 'USE' });
      expectError(await call('DELETE', `grants?${q({ ...OTHER, principal_type: 'group', principal: 'team-b' })}`, 'admin'), 404, 'GW_NOT_FOUND', /has no grant/);
      expect(await store().grants.listForResource('experiment', '202')).toEqual([]);
    });

    it('owner with MANAGE: lists, sets and deletes grants on that resource', async () => {
      const put = await call('PUT', 'grants', 'alice', { ...OWNED, principal_type: 'user', principal: 'bob', level: 'EDIT' });
      expect(put.status, JSON.stringify(put.json)).toBe(200);
      const list = await call('GET', `grants?${q(OWNED)}`, 'alice');
      expect(list.status).toBe(200);
      expect(list.json.grants.map((g: { principal: string; level: string }) => `${g.principal}:${g.level}`).sort()).toEqual(['alice:MANAGE', 'bob:EDIT']);
      const del = await call('DELETE', 'grants', 'alice', { ...OWNED, principal_type: 'user', principal: 'bob' });
      expect(del.json).toMatchObject({ deleted: true, previous_level: 'EDIT' });
    });

    it('owner with MANAGE: shares with a group they are in (alice → team-a at EDIT), changes and un-shares it', async () => {
      const shared = await call('PUT', 'grants', 'alice', { ...OWNED, principal_type: 'group', principal: 'team-a', level: 'EDIT' });
      expect(shared.status, JSON.stringify(shared.json)).toBe(200);
      expect(shared.json).toMatchObject({ grant: { principal_type: 'group', principal: 'team-a', level: 'EDIT' }, previous_level: null });
      expect((await call('PUT', 'grants', 'alice', { ...OWNED, principal_type: 'group', principal: 'team-a', level: 'MANAGE' })).json.previous_level).toBe('EDIT');
      const del = await call('DELETE', 'grants', 'alice', { ...OWNED, principal_type: 'group', principal: 'team-a' });
      expect(del.json).toMatchObject({ deleted: true, previous_level: 'MANAGE' });
      expect((await store().grants.listForResource('experiment', '101')).map((g) => g.level)).toEqual(['MANAGE']);
    });

    it('owner with MANAGE: may not list or change grants on any other resource', async () => {
      expectError(await call('GET', `grants?${q(OTHER)}`, 'alice'), 403, 'GW_DENIED', /needs MANAGE on it \(you have NO_PERMISSIONS\)/);
      expectError(await call('PUT', 'grants', 'alice', { ...OTHER, principal_type: 'user', principal: 'bob', level: 'READ' }), 403, 'GW_DENIED');
      expectError(await call('DELETE', 'grants', 'alice', { ...OTHER, principal_type: 'user', principal: 'bob' }), 403, 'GW_DENIED');
      expectError(await call('GET', `grants?${q({ principal_type: 'user', principal: 'alice' })}`, 'alice'), 403, 'GW_DENIED', /Only administrators/);
      expect(await store().grants.listForResource('experiment', '202')).toEqual([]);
    });

    it('non-owner: may not list, set or delete grants, and cannot probe for usernames', async () => {
      expectError(await call('GET', `grants?${q(OWNED)}`, 'bob'), 403, 'GW_DENIED');
      expectError(await call('PUT', 'grants', 'bob', { ...OWNED, principal_type: 'user', principal: 'bob', level: 'MANAGE' }), 403, 'GW_DENIED');
      expectError(await call('DELETE', 'grants', 'bob', { ...OWNED, principal_type: 'user', principal: 'alice' }), 403, 'GW_DENIED');
      // An unknown user is a 404 only for those allowed to manage the resource.
      expectError(await call('PUT', 'grants', 'bob', { ...OWNED, principal_type: 'user', principal: 'nobody-such', level: 'READ' }), 403, 'GW_DENIED');
      expectError(await call('GET', `grants?${q({ principal_type: 'group', principal: 'team-a' })}`, 'bob'), 403, 'GW_DENIED');
      expect((await store().grants.listForResource('experiment', '101')).map((g) => g.level)).toEqual(['MANAGE']);
    });
  });

  describe('bad input', () => {
    const grant = { ...OWNED, principal_type: 'user', principal: 'bob', level: 'READ' };
    it.each([
      ['an unknown level', { ...grant, level: 'SUPERUSER' }, /Unknown level "SUPERUSER"; expected one of DENY, NO_PERMISSIONS, READ, USE, EDIT, MANAGE/],
      ['a level in the wrong case', { ...grant, level: 'read' }, /Unknown level "read"/],
      ['an unknown resource type', { ...grant, resource_type: 'job' }, /Unknown resource_type "job"; expected one of experiment, registered_model/],
      ['an unknown principal type', { ...grant, principal_type: 'role' }, /Unknown principal_type "role"; expected one of user, group/],
      ['a missing field', { ...grant, resource_id: undefined }, /resource_id is required/],
      ['a number where a string belongs', { ...grant, resource_id: 101 }, /resource_id must be a string \(got number\)/],
      ['an unknown field', { ...grant, expires: 'never' }, /Unknown grant field "expires"; accepted: principal_type, principal, resource_type, resource_id, level/],
      ['a control character', { ...grant, resource_id: '1\n2' }, /control characters/],
    ])('PUT grants with %s → 400 GW_BAD_REQUEST', async (_what, body, message) => {
      expectError(await call('PUT', 'grants', 'admin', body), 400, 'GW_BAD_REQUEST', message);
    });

    it('refuses bodies that are not a JSON object, or not declared as JSON', async () => {
      expectError(await call('PUT', 'grants', 'admin', '{"level":'), 400, 'GW_BAD_BODY', /not valid JSON/);
      expectError(await call('PUT', 'grants', 'admin', [grant]), 400, 'GW_BAD_BODY', /must be a JSON object/);
      expectError(await call('PUT', 'grants', 'admin'), 400, 'GW_BAD_BODY', /JSON object body is required/);
      expectError(await call('PUT', 'grants', 'admin', JSON.stringify(grant), { 'content-type': 'text/plain' }), 400, 'GW_BAD_REQUEST', /Content-Type: application\/json/);
    });

    it('refuses ambiguous or incomplete queries', async () => {
      expectError(await call('GET', 'grants', 'admin'), 400, 'GW_BAD_REQUEST', /either resource_type and resource_id .* or principal_type and principal/);
      expectError(await call('GET', `grants?${q({ ...OWNED, principal_type: 'user', principal: 'bob' })}`, 'admin'), 400, 'GW_BAD_REQUEST', /either/);
      expectError(await call('GET', `grants?${q({ resource_type: 'experiment' })}`, 'admin'), 400, 'GW_BAD_REQUEST', /resource_id is required/);
      expectError(await call('GET', `grants?${q({ ...OWNED, page: '2' })}`, 'admin'), 400, 'GW_BAD_REQUEST', /Unknown query field "page"/);
      expectError(await call('DELETE', `grants?${q({ ...OWNED, principal_type: 'user', principal: 'bob' })}`, 'admin', { ...OWNED, principal_type: 'user', principal: 'bob' }), 400, 'GW_BAD_REQUEST', /not both/);
      expectError(await call('DELETE', 'grants', 'admin', { ...grant }), 400, 'GW_BAD_REQUEST', /Unknown grant field "level"/);
      expectError(await call('GET', 'users?limit=0', 'admin'), 400, 'GW_BAD_REQUEST', /limit must be a whole number from 1 to 1000/);
    });

    it('answers 404 GW_NOT_FOUND for an unknown user and an unknown endpoint', async () => {
      // (PUT records an unknown user ahead of sign-in instead: admin-api-sharing.test.ts)
      expectError(await call('DELETE', 'grants', 'admin', { ...OWNED, principal_type: 'user', principal: 'nobody-such' }), 404, 'GW_NOT_FOUND', /No user named "nobody-such"/);
      expectError(await call('GET', `grants?${q({ principal_type: 'user', principal: 'nobody-such' })}`, 'admin'), 404, 'GW_NOT_FOUND');
      expectError(await call('POST', 'grants', 'admin', grant), 404, 'GW_NOT_FOUND', /No admin API endpoint POST/);
      expectError(await call('GET', 'nothing-here', 'admin'), 404, 'GW_NOT_FOUND');
    });
  });

  describe('patterns', () => {
    const rule = { principal_type: 'group', principal: 'team-a', resource_type: 'experiment', matcher: 'glob', pattern: 'team-a-*', level: 'EDIT' };

    it('admin: adds, lists (all, by type, by principal) and deletes pattern rules', async () => {
      const added = await call('POST', 'patterns', 'admin', rule);
      expect(added.status).toBe(201);
      expect(added.json.pattern).toMatchObject({ ...rule, id: expect.stringMatching(/^pr_/) });
      const byUser = await call('POST', 'patterns', 'admin', { ...rule, principal_type: 'user', principal: 'bob', matcher: 'regex', pattern: 'bob-[0-9]+', level: 'READ' });
      expect(byUser.json.pattern).toMatchObject({ principal: 'bob', user_id: expect.any(String) });

      expect((await call('GET', 'patterns', 'admin')).json.patterns).toHaveLength(2);
      expect((await call('GET', 'patterns?resource_type=registered_model', 'admin')).json.patterns).toEqual([]);
      expect((await call('GET', `patterns?${q({ principal_type: 'user', principal: 'bob' })}`, 'admin')).json.patterns.map((p: { pattern: string }) => p.pattern)).toEqual(['bob-[0-9]+']);

      for (const id of [added.json.pattern.id, byUser.json.pattern.id]) {
        const del = await call('DELETE', `patterns/${id}`, 'admin');
        expect(del.json).toMatchObject({ deleted: true, pattern: { id } });
      }
      expectError(await call('DELETE', `patterns/${added.json.pattern.id}`, 'admin'), 404, 'GW_NOT_FOUND', /No pattern rule/);
      expect(await store().grants.listPatterns()).toEqual([]);
    });

    it('admin: changes a rule in place (same id; audited with the old and new values); the policy follows at once', async () => {
      const added = await call('POST', 'patterns', 'admin', { ...rule, pattern: 'team-a-exp-*', level: 'READ' });
      const id = added.json.pattern.id as string;
      const changed = await call('PATCH', `patterns/${id}`, 'admin', { matcher: 'regex', pattern: 'team-a-.*', level: 'DENY' });
      expect(changed.status, JSON.stringify(changed.json)).toBe(200);
      expect(changed.json.pattern).toMatchObject({ ...rule, id, matcher: 'regex', pattern: 'team-a-.*', level: 'DENY' });
      expect(await store().grants.listPatterns()).toEqual([expect.objectContaining({ id, matcher: 'regex', pattern: 'team-a-.*', level: 'DENY' })]);
      const events = await store().audit.list({ limit: 10, action: 'pattern.update' });
      expect(events).toEqual([expect.objectContaining({ actor: 'admin', resource: `pattern:${id}`, decision: 'allow' })]);
      expect(events[0]!.reason).toMatch(/DENY .*regex "team-a-\.\*" \(was READ, glob "team-a-exp-\*"\)/);
      const explained = await call('POST', 'explain', 'admin', { user: 'alice', action: 'read', resource: { type: 'experiment', id: '9', name: 'team-a-x' } });
      expect(explained.json.considered.patterns).toEqual([expect.objectContaining({ matched: true, rule: expect.objectContaining({ id, level: 'DENY' }) })]);
      // Only the level: the matcher and pattern stay.
      expect((await call('PATCH', `patterns/${id}`, 'admin', { level: 'EDIT' })).json.pattern).toMatchObject({ matcher: 'regex', pattern: 'team-a-.*', level: 'EDIT' });
      await call('DELETE', `patterns/${id}`, 'admin');
    });

    it('refuses a change that would leave an unusable rule, an empty or unknown change, and unknown ids — and changes nothing', async () => {
      const kept = await store().grants.addPattern({ principalType: 'group', principal: 'team-a', resourceType: 'experiment', matcher: 'glob', pattern: 'team-(a*', level: 'READ' });
      // The glob is a fine glob but not a usable regex: switching only the matcher is checked against the kept pattern.
      expectError(await call('PATCH', `patterns/${kept.id}`, 'admin', { matcher: 'regex' }), 400, 'GW_BAD_REQUEST', /regex pattern "team-\(a\*" cannot be used/);
      expectError(await call('PATCH', `patterns/${kept.id}`, 'admin', { pattern: '' }), 400, 'GW_BAD_REQUEST', /must not be empty/);
      expectError(await call('PATCH', `patterns/${kept.id}`, 'admin', {}), 400, 'GW_BAD_REQUEST', /Nothing to change/);
      expectError(await call('PATCH', `patterns/${kept.id}`, 'admin', { principal: 'team-b' }), 400, 'GW_BAD_REQUEST');
      expectError(await call('PATCH', `patterns/${kept.id}`, 'admin', { level: 'OWNER' }), 400, 'GW_BAD_REQUEST', /Unknown level "OWNER"/);
      expectError(await call('PATCH', 'patterns/pr_nosuch', 'admin', { level: 'READ' }), 404, 'GW_NOT_FOUND', /No pattern rule/);
      expect(await store().grants.listPatterns()).toEqual([kept]);
      await store().grants.deletePattern(kept.id);
    });

    it('refuses unusable patterns and unknown matchers with 400', async () => {
      expectError(await call('POST', 'patterns', 'admin', { ...rule, matcher: 'regex', pattern: 'team-(a' }), 400, 'GW_BAD_REQUEST', /regex pattern "team-\(a" cannot be used: invalid regular expression/);
      expectError(await call('POST', 'patterns', 'admin', { ...rule, pattern: '' }), 400, 'GW_BAD_REQUEST', /must not be empty/);
      expectError(await call('POST', 'patterns', 'admin', { ...rule, pattern: 'x'.repeat(513) }), 400, 'GW_BAD_REQUEST', /longer than 512/);
      expectError(await call('POST', 'patterns', 'admin', { ...rule, matcher: 'sql' }), 400, 'GW_BAD_REQUEST', /Unknown matcher "sql"; expected one of glob, regex/);
      expectError(await call('POST', 'patterns', 'admin', { ...rule, level: 'OWNER' }), 400, 'GW_BAD_REQUEST', /Unknown level "OWNER"/);
    });

    it.each(['alice', 'bob'])('%s (not an administrator) may not list, add or delete pattern rules', async (who) => {
      expectError(await call('GET', 'patterns', who), 403, 'GW_DENIED', /Only administrators may list pattern rules/);
      expectError(await call('POST', 'patterns', who, { ...rule, principal_type: 'user', principal: who, level: 'MANAGE' }), 403, 'GW_DENIED');
      const kept = await store().grants.addPattern({ principalType: 'group', principal: 'g', resourceType: 'experiment', matcher: 'glob', pattern: 'kept', level: 'READ' });
      expectError(await call('DELETE', `patterns/${kept.id}`, who), 403, 'GW_DENIED');
      expectError(await call('PATCH', `patterns/${kept.id}`, who, { level: 'MANAGE' }), 403, 'GW_DENIED');
      expect(await store().grants.listPatterns()).toEqual([kept]);
      await store().grants.deletePattern(kept.id);
    });
  });

  describe('explain', () => {
    const ask = (user: string, id = '101') => ({ user, action: 'update', resource: { type: 'experiment', id } });

    it('admin: explains any user\'s access with the grants considered', async () => {
      const a = await call('POST', 'explain', 'admin', ask('alice'));
      expect(a.status).toBe(200);
      expect(a.json.decision).toMatchObject({ allow: true, level: 'MANAGE', required: 'EDIT', source: 'user-grant' });
      expect(a.json.considered.grants).toEqual([
        { grant: expect.objectContaining({ principal_type: 'user', principal: 'alice', level: 'MANAGE' }), matched: true, decisive: true, note: 'decided the base level' },
      ]);
      const bob = await call('POST', 'explain', 'admin', ask('bob'));
      expect(bob.json.decision).toMatchObject({ allow: false, level: 'NO_PERMISSIONS', source: 'default' });
    });

    it('a user may explain their own access, but not anyone else\'s', async () => {
      const own = await call('POST', 'explain', 'bob', ask('bob'));
      expect(own.status).toBe(200);
      expect(own.json.decision.allow).toBe(false);
      expectError(await call('POST', 'explain', 'bob', ask('alice')), 403, 'GW_DENIED', /Only administrators, and managers of the resource .*, may explain the access of other users/);
    });

    it('a manager of the resource may explain anyone\'s access to it, and to nothing else', async () => {
      const managed = await call('POST', 'explain', 'alice', ask('bob'));
      expect(managed.status, JSON.stringify(managed.json)).toBe(200);
      expect(managed.json.decision).toMatchObject({ allow: false, source: 'default' });
      expectError(await call('POST', 'explain', 'alice', ask('bob', '202')), 403, 'GW_DENIED', /managers of the resource/);
      // The refusal does not say what alice holds elsewhere or what bob holds.
      expect((await call('POST', 'explain', 'alice', ask('bob', '202'))).json.message).not.toMatch(/bob|NO_PERMISSIONS/);
    });

    it('refuses unknown actions, resource types and users', async () => {
      expectError(await call('POST', 'explain', 'admin', { ...ask('bob'), action: 'write' }), 400, 'GW_BAD_REQUEST', /Unknown action "write"; expected one of read, use, update, delete, manage/);
      expectError(await call('POST', 'explain', 'admin', { ...ask('bob'), resource: { type: 'job', id: '1' } }), 400, 'GW_BAD_REQUEST', /Unknown type "job"/);
      expectError(await call('POST', 'explain', 'admin', { ...ask('bob'), resource: '101' }), 400, 'GW_BAD_REQUEST', /resource must be an object/);
      expectError(await call('POST', 'explain', 'admin', ask('nobody-such')), 404, 'GW_NOT_FOUND');
    });
  });

  describe('users', () => {
    it('admin: lists and searches the users the gateway has seen', async () => {
      const all = await call('GET', 'users', 'admin');
      expect(all.status).toBe(200);
      expect(all.json.users.map((u: { username: string }) => u.username)).toEqual(['admin', 'alice', 'bob', 'carol']);
      const found = await call('GET', 'users?search=car&limit=5', 'admin');
      expect(found.json.users).toEqual([expect.objectContaining({ username: 'carol', groups: ['team-a', 'team-b'], is_admin: false, disabled: false })]);
    });

    it.each(['alice', 'bob'])('%s (not an administrator) may not list users', async (who) => {
      expectError(await call('GET', 'users', who), 403, 'GW_DENIED', /Only administrators may list users/);
    });
  });

  describe('session cookie (browser)', () => {
    let alice: HttpBrowser;
    let admin: HttpBrowser;
    beforeAll(async () => {
      alice = (await signIn(stack, 'alice')).browser;
      admin = (await signIn(stack, 'admin')).browser;
    });
    const viaCookie = (browser: HttpBrowser, method: string, path: string, body: unknown, headers: Record<string, string>) =>
      browser.request(`${stack.gatewayUrl}/_gateway/api/v1/${path}`, { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

    it('accepts a same-origin write from the signed-in browser', async () => {
      const res = await viaCookie(alice, 'PUT', 'grants', { ...OWNED, principal_type: 'group', principal: 'team-b', level: 'READ' }, { 'sec-fetch-site': 'same-origin', origin: stack.origin });
      expect(res.status).toBe(200);
      const list = await alice.get(`${stack.gatewayUrl}/_gateway/api/v1/grants?${q(OWNED)}`);
      expect(((await list.json()) as { grants: unknown[] }).grants).toContainEqual(expect.objectContaining({ principal: 'team-b', level: 'READ' }));
    });

    it('an action taken after the session ended (create a token in the UI) is refused with GW_SESSION_EXPIRED, not dropped; nothing is created', async () => {
      const carol = (await signIn(stack, 'carol')).browser;
      const user = (await store().users.getByUsername('carol'))!;
      await store().sessions.deleteForUser(user.id); // the session ends while the page is open (expiry, sign-out elsewhere)
      const res = await viaCookie(carol, 'POST', 'tokens', { name: 'after-expiry' }, { 'sec-fetch-site': 'same-origin', origin: stack.origin });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error_code: 'UNAUTHENTICATED', gateway_code: 'GW_SESSION_EXPIRED', message: expect.stringMatching(/sign in again/) });
      expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
      expect(await store().tokens.list({ userId: user.id })).toEqual([]);
      // Without any session cookie it stays "never signed in".
      const anonymous = await fetch(`${stack.gatewayUrl}/_gateway/api/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
      expect(await anonymous.json()).toMatchObject({ gateway_code: 'GW_UNAUTHENTICATED' });
    });

    it('refuses a cross-site cookie POST (CSRF) and stores nothing', async () => {
      const rule = { principal_type: 'user', principal: 'bob', resource_type: 'experiment', matcher: 'glob', pattern: '*', level: 'MANAGE' };
      const bySite = await viaCookie(admin, 'POST', 'patterns', rule, { 'sec-fetch-site': 'cross-site' });
      expect(bySite.status).toBe(403);
      expect(await bySite.json()).toMatchObject({ gateway_code: 'GW_CSRF' });
      const byOrigin = await viaCookie(admin, 'POST', 'patterns', rule, { origin: 'https://evil.example' });
      expect(byOrigin.status).toBe(403);
      expect(await byOrigin.json()).toMatchObject({ gateway_code: 'GW_CSRF' });
      const grantBySite = await viaCookie(alice, 'PUT', 'grants', { ...OWNED, principal_type: 'user', principal: 'bob', level: 'MANAGE' }, { 'sec-fetch-site': 'same-site' });
      expect(grantBySite.status).toBe(403);
      expect(await store().grants.listPatterns()).toEqual([]);
      expect((await call('GET', `grants?${q({ principal_type: 'user', principal: 'bob' })}`, 'admin')).json.grants).toEqual([]);
    });
  });

  describe('audit', () => {
    it('records every grant and pattern change with actor, action, resource and level — and refused writes', async () => {
      const events = await store().audit.list({ limit: 500 });
      const byAction = (action: string) => events.filter((e) => e.action === action);
      expect(byAction('grant.set')).toContainEqual(expect.objectContaining({
        actor: 'admin', resource: 'experiment:202', decision: 'allow', reason: 'user bob → READ (new grant)', requestId: expect.any(String), clientIp: '127.0.0.1',
      }));
      expect(byAction('grant.set')).toContainEqual(expect.objectContaining({ actor: 'alice', resource: 'experiment:101', reason: 'user bob → EDIT (new grant)' }));
      expect(byAction('grant.delete')).toContainEqual(expect.objectContaining({ actor: 'admin', resource: 'experiment:202', reason: 'group team-b no longer has USE' }));
      expect(byAction('pattern.add')).toContainEqual(expect.objectContaining({ actor: 'admin', reason: 'group team-a → EDIT on experiment matching glob "team-a-*"' }));
      expect(byAction('pattern.delete').length).toBeGreaterThanOrEqual(2);
      // Refused writes of authenticated callers are audited as denials.
      expect(byAction('grant.set')).toContainEqual(expect.objectContaining({ actor: 'bob', resource: 'experiment:101', decision: 'deny' }));
      // Anonymous callers' refusals are request.denied events (src/audit/request-audit.ts), not
      // grant changes; validation errors are not recorded at all.
      expect(events.filter((e) => e.actor === null && e.action !== 'request.denied')).toEqual([]);
      expect(events.filter((e) => e.actor === null).length).toBeGreaterThan(0);
    });

    it('logs each change as one line with actor, action, resource and level, and never a token', async () => {
      const lines = stack.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'admin');
      expect(lines).toContainEqual(expect.objectContaining({ actor: 'admin', action: 'grant.set', resource: 'experiment:202', principal: 'user bob', level: 'READ', decision: 'allow' }));
      expect(lines).toContainEqual(expect.objectContaining({ actor: 'admin', action: 'pattern.add', level: 'EDIT' }));
      const all = stack.logs.join('\n');
      for (const t of Object.values(token)) expect(all).not.toContain(t.split('.')[2]);
    });
  });
});
