import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApi } from '../support/admin-api.js';
import { callerFor, unique, userId } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

// Access requests through the admin API against the real gateway, IdP and MLflow: bob asks for
// READ on alice's experiment, alice (MANAGE) sees and approves it, bob reads; carol (no MANAGE)
// and bob himself cannot decide; decided and expired requests cannot be decided again; every
// step is audited.
describe('access requests', () => {
  let stack: Stack;
  const token: Record<string, string> = {};
  let exp: string;
  let other: string;
  beforeAll(async () => {
    stack = await startStack();
    for (const u of ['admin', 'alice', 'bob', 'carol']) {
      token[u] = (await stack.idp.getTokens(u)).access_token;
      await adminApi(stack, 'GET', 'whoami', { token: token[u]! });
    }
    const admin = await callerFor(stack, 'admin');
    exp = (await admin.post('experiments/create', { name: unique('ar-alice') })).json.experiment_id;
    other = (await admin.post('experiments/create', { name: unique('ar-other') })).json.experiment_id;
    for (const id of [exp, other]) {
      await stack.server.gateway.store.grants.set({ principalType: 'user', principal: await userId(stack, 'alice'), resourceType: 'experiment', resourceId: id, level: 'MANAGE' });
    }
  });
  afterAll(async () => stack?.stop());
  const api = (who: string, method: string, path: string, body?: unknown) => adminApi(stack, method, path, { token: token[who]!, ...(body !== undefined ? { body } : {}) });
  const audit = async (action: string) => stack.server.gateway.store.audit.list({ limit: 50, action });

  it('bob asks, alice sees it and approves, bob reads; the requester sees the outcome', async () => {
    const bob = await callerFor(stack, 'bob');
    expect((await bob.get('experiments/get', { experiment_id: exp })).status).toBe(403);
    const asked = await api('bob', 'POST', 'access-requests', { resource_type: 'experiment', resource_id: exp, level: 'READ', message: 'I review this model' });
    expect(asked.status, JSON.stringify(asked.json)).toBe(201);
    const id = asked.json.access_request.id as string;
    expect(asked.json.access_request).toMatchObject({ requester: 'bob', resource_type: 'experiment', resource_id: exp, level: 'READ', status: 'pending', message: 'I review this model' });
    // A second request for the same resource while one is pending is refused.
    expect((await api('bob', 'POST', 'access-requests', { resource_type: 'experiment', resource_id: exp, level: 'EDIT' })).status).toBe(409);

    const inbox = await api('alice', 'GET', 'access-requests');
    expect(inbox.json.to_decide).toEqual([expect.objectContaining({ id, requester: 'bob', can_decide: true, resource_name: expect.stringMatching(/^ar-alice-/) })]);
    expect((await api('carol', 'GET', 'access-requests')).json.to_decide).toEqual([]);

    const approved = await api('alice', 'POST', `access-requests/${id}/approve`, { note: 'welcome' });
    expect(approved.status, JSON.stringify(approved.json)).toBe(200);
    expect(approved.json).toMatchObject({ access_request: { status: 'approved', decided_by: 'alice', note: 'welcome' }, previous_level: null });
    expect((await bob.get('experiments/get', { experiment_id: exp })).status).toBe(200);
    const mine = await api('bob', 'GET', 'access-requests');
    expect(mine.json.mine[0]).toMatchObject({ id, status: 'approved', decided_by: 'alice', note: 'welcome' });
    // Decided once: neither approved nor declined again.
    expect((await api('alice', 'POST', `access-requests/${id}/decline`)).status).toBe(409);
    // Audited: the request, the grant it made and the approval.
    expect(await audit('access_request.create')).toContainEqual(expect.objectContaining({ actor: 'bob', resource: `experiment:${exp}`, decision: 'allow' }));
    expect(await audit('grant.set')).toContainEqual(expect.objectContaining({ actor: 'alice', resource: `experiment:${exp}`, reason: expect.stringContaining(`access request ${id}`) }));
    expect(await audit('access_request.approve')).toContainEqual(expect.objectContaining({ actor: 'alice', resource: `experiment:${exp}` }));
  });

  it('only managers decide, never the requester; a refused attempt is audited', async () => {
    const asked = await api('carol', 'POST', 'access-requests', { resource_type: 'experiment', resource_id: other, level: 'EDIT', message: '' });
    const id = asked.json.access_request.id as string;
    const bobTries = await api('bob', 'POST', `access-requests/${id}/approve`);
    expect(bobTries.status).toBe(403);
    expect(bobTries.json.gateway_code).toBe('GW_DENIED');
    expect((await api('carol', 'POST', `access-requests/${id}/approve`)).status).toBe(403); // her own, and she lacks MANAGE
    expect((await audit('access_request.approve')).filter((e) => e.decision === 'deny').map((e) => e.actor)).toEqual(expect.arrayContaining(['bob', 'carol']));
    const declined = await api('alice', 'POST', `access-requests/${id}/decline`, { note: 'ask your lead' });
    expect(declined.json.access_request).toMatchObject({ status: 'declined', decided_by: 'alice', note: 'ask your lead' });
    const carolId = await userId(stack, 'carol');
    expect((await stack.server.gateway.store.grants.listForResource('experiment', other)).filter((g) => g.principal === carolId)).toEqual([]);
    expect((await api('carol', 'GET', 'access-requests')).json.mine[0]).toMatchObject({ id, status: 'declined' });
    expect(await audit('access_request.decline')).toContainEqual(expect.objectContaining({ actor: 'alice', decision: 'allow' }));
  });

  it('requests expire: an expired request cannot be approved', async () => {
    const past = new Date(Date.now() - 1000);
    const r = await stack.server.gateway.store.accessRequests.create({
      requesterId: await userId(stack, 'carol'), resourceType: 'experiment', resourceId: exp, level: 'READ', message: 'old', createdAt: new Date(past.getTime() - 1000), expiresAt: past,
    });
    const tried = await api('alice', 'POST', `access-requests/${r.id}/approve`);
    expect(tried.status).toBe(409);
    expect(tried.json.message).toMatch(/is expired/);
    expect((await api('carol', 'GET', 'access-requests')).json.mine.find((x: { id: string }) => x.id === r.id)).toMatchObject({ status: 'expired' });
  });

  it('refuses what makes no sense: a level already held, an unknown experiment, NO_PERMISSIONS, unknown fields', async () => {
    expect((await api('alice', 'POST', 'access-requests', { resource_type: 'experiment', resource_id: exp, level: 'EDIT' })).json.message).toMatch(/already have MANAGE/);
    expect((await api('bob', 'POST', 'access-requests', { resource_type: 'experiment', resource_id: '987654321', level: 'READ' })).status).toBe(404);
    expect((await api('bob', 'POST', 'access-requests', { resource_type: 'experiment', resource_id: exp, level: 'NO_PERMISSIONS' })).status).toBe(400);
    expect((await api('bob', 'POST', 'access-requests', { resource_type: 'experiment', resource_id: exp, level: 'READ', why: 'x' })).status).toBe(400);
    expect((await adminApi(stack, 'POST', 'access-requests', { body: { resource_type: 'experiment', resource_id: exp, level: 'READ' } })).status).toBe(401);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await adminApi(stack, 'GET', 'openapi.json')).json as { paths: Record<string, unknown> };
    for (const path of ['/access-requests', '/access-requests/{id}/approve', '/access-requests/{id}/decline']) {
      expect(Object.keys(doc.paths).some((k) => k.endsWith(path)), path).toBe(true);
    }
  });
});
