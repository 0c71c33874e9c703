import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Level } from '../../src/policy/index.js';
import { adminApi } from '../support/admin-api.js';
import { startStack, type Stack } from '../support/stack.js';

// Attack: a non-admin who holds MANAGE on a resource uses the admin API to raise, widen or
// entrench their OWN access — a personal grant that outlives the group or pattern that made them
// a manager, a higher grant for a group they are in, or the removal of a grant that held them
// down. Each attempt must end in 403 GW_DENIED "No self-escalation", change nothing, and be audited.
// Demo users: alice (team-a), bob (no groups), carol (team-a, team-b), admin (mlflow-admins).
describe('no self-escalation', () => {
  let stack: Stack;
  const token: Record<string, string> = {};
  const id: Record<string, string> = {};
  beforeAll(async () => {
    stack = await startStack();
    for (const u of ['admin', 'alice', 'bob', 'carol']) {
      token[u] = (await stack.idp.getTokens(u)).access_token;
      await adminApi(stack, 'GET', 'users', { token: token[u]! }); // records the user
      id[u] = (await store().users.getByUsername(u))!.id;
    }
  });
  afterAll(async () => stack?.stop());
  const store = () => stack.server.gateway.store;
  const give = (principalType: 'user' | 'group', principal: string, resourceId: string, level: Level, resourceType: 'experiment' | 'registered_model' = 'experiment') =>
    store().grants.set({ principalType, principal: principalType === 'user' ? id[principal]! : principal, resourceType, resourceId, level });
  const put = (who: string, body: Record<string, string>) => adminApi(stack, 'PUT', 'grants', { token: token[who]!, body });
  const del = (who: string, body: Record<string, string>) => adminApi(stack, 'DELETE', 'grants', { token: token[who]!, body });
  const onExp = (resource_id: string, principal_type: string, principal: string) => ({ resource_type: 'experiment', resource_id, principal_type, principal });
  const levels = async (resourceId: string, type: 'experiment' | 'registered_model' = 'experiment') =>
    Object.fromEntries((await store().grants.listForResource(type, resourceId)).map((g) => [`${g.principalType}:${g.principal}`, g.level]));
  async function expectRefused(answer: { status: number; json: { gateway_code: string; message: string } }, message: RegExp): Promise<void> {
    expect(answer.status, JSON.stringify(answer.json)).toBe(403);
    expect(answer.json.gateway_code).toBe('GW_DENIED');
    expect(answer.json.message).toMatch(/^No self-escalation: /);
    expect(answer.json.message).toMatch(message);
  }

  it('no self-escalation: a manager through a group cannot give themselves a personal grant', async () => {
    await give('group', 'team-a', '301', 'MANAGE');
    await expectRefused(await put('alice', { ...onExp('301', 'user', 'alice'), level: 'MANAGE' }), /only an administrator may create your own grant/);
    expect(await levels('301')).toEqual({ 'group:team-a': 'MANAGE' });
    // The attempt is audited as a denial.
    const denied = (await store().audit.list({ limit: 50, actor: 'alice', action: 'grant.set' })).filter((e) => e.decision === 'deny');
    expect(denied).toContainEqual(expect.objectContaining({ resource: 'experiment:301', reason: expect.stringMatching(/^user alice: No self-escalation/) }));
  });

  it('no self-escalation: a manager through a pattern rule cannot turn it into a personal grant', async () => {
    await store().grants.addPattern({ principalType: 'group', principal: 'team-a', resourceType: 'registered_model', matcher: 'glob', pattern: 'team-a-*', level: 'MANAGE' });
    const body = { resource_type: 'registered_model', resource_id: 'team-a-churn', principal_type: 'user', principal: 'alice', level: 'MANAGE' };
    await expectRefused(await put('alice', body), /create your own grant/);
    expect(await levels('team-a-churn', 'registered_model')).toEqual({});
  });

  it('lets an owner share with a group they are in at no more than their own level (the owner shares with their own team)', async () => {
    // alice created experiment 310 (user grant MANAGE) and shares it with team-a, which she is in.
    await give('user', 'alice', '310', 'MANAGE');
    const shared = await put('alice', { ...onExp('310', 'group', 'team-a'), level: 'EDIT' });
    expect(shared.status, JSON.stringify(shared.json)).toBe(200);
    expect(shared.json.previous_level).toBeNull();
    // Raising it up to her own level is sharing too; her own level stays MANAGE either way.
    expect((await put('alice', { ...onExp('310', 'group', 'team-a'), level: 'MANAGE' })).status).toBe(200);
    // carol (team-a, team-b) manages 302 personally: she shares with team-b and then raises it.
    await give('user', 'carol', '302', 'MANAGE');
    expect((await put('carol', { ...onExp('302', 'group', 'team-b'), level: 'READ' })).status).toBe(200);
    expect((await put('carol', { ...onExp('302', 'group', 'team-b'), level: 'EDIT' })).status).toBe(200);
    expect(await levels('302')).toEqual({ [`user:${id.carol}`]: 'MANAGE', 'group:team-b': 'EDIT' });
    expect(await levels('310')).toEqual({ [`user:${id.alice}`]: 'MANAGE', 'group:team-a': 'MANAGE' });
    // Each share is an allowed, audited change.
    const rows = await store().audit.list({ limit: 50, actor: 'alice', action: 'grant.set' });
    expect(rows).toContainEqual(expect.objectContaining({ resource: 'experiment:310', decision: 'allow', reason: 'group team-a → EDIT (new grant)' }));
  });

  it('no self-escalation: a manager through a group still cannot turn it into a personal grant', async () => {
    await give('group', 'team-a', '311', 'MANAGE');
    expect((await put('alice', { ...onExp('311', 'group', 'team-a'), level: 'MANAGE' })).status).toBe(200); // unchanged: fine
    await expectRefused(await put('alice', { ...onExp('311', 'user', 'alice'), level: 'READ' }), /only an administrator may create your own grant/);
    expect(await levels('311')).toEqual({ 'group:team-a': 'MANAGE' });
  });

  it('no self-escalation: a member of a managing group cannot delete the personal grant that holds them down', async () => {
    await give('user', 'carol', '303', 'READ');
    await give('group', 'team-b', '303', 'MANAGE');
    const answer = await del('carol', onExp('303', 'user', 'carol'));
    expect(answer.status).toBe(403);
    expect(answer.json.message).toMatch(/needs MANAGE on it \(you have READ\)/);
    expect(await levels('303')).toEqual({ [`user:${id.carol}`]: 'READ', 'group:team-b': 'MANAGE' });
  });

  it('lets an owner un-share with their own team: deleting a group grant that leaves their own level where it is', async () => {
    await give('user', 'carol', '313', 'MANAGE');
    await give('group', 'team-a', '313', 'NO_PERMISSIONS');
    await give('group', 'team-b', '313', 'READ');
    expect((await del('carol', onExp('313', 'group', 'team-a'))).status).toBe(200);
    expect((await del('carol', onExp('313', 'group', 'team-b'))).status).toBe(200);
    expect(await levels('313')).toEqual({ [`user:${id.carol}`]: 'MANAGE' });
  });

  it('allows lowering one\'s own access, and the lowered level takes effect at once', async () => {
    await give('group', 'team-a', '304', 'MANAGE');
    const lowered = await put('alice', { ...onExp('304', 'group', 'team-a'), level: 'READ' });
    expect(lowered.status, JSON.stringify(lowered.json)).toBe(200);
    expect(lowered.json.previous_level).toBe('MANAGE');
    // alice no longer manages 304, so she cannot undo it herself.
    const undo = await put('alice', { ...onExp('304', 'group', 'team-a'), level: 'MANAGE' });
    expect(undo.status).toBe(403);
    expect(undo.json.message).toMatch(/needs MANAGE on it \(you have READ\)/);
    // Deleting one's own MANAGE grant can only lower: allowed.
    await give('user', 'carol', '305', 'MANAGE');
    expect((await del('carol', onExp('305', 'user', 'carol'))).status).toBe(200);
  });

  it('still lets a manager share with others, and administrators are not limited', async () => {
    await give('user', 'carol', '306', 'MANAGE');
    expect((await put('carol', { ...onExp('306', 'user', 'bob'), level: 'MANAGE' })).status).toBe(200);
    expect((await put('carol', { ...onExp('306', 'user', 'alice'), level: 'EDIT' })).status).toBe(200); // alice shares team-a, but is not carol
    expect((await put('carol', { ...onExp('306', 'group', 'outsiders'), level: 'READ' })).status).toBe(200);
    expect((await put('admin', { ...onExp('306', 'user', 'admin'), level: 'MANAGE' })).status).toBe(200);
    expect((await put('admin', { ...onExp('306', 'group', 'mlflow-admins'), level: 'MANAGE' })).status).toBe(200);
  });
});
