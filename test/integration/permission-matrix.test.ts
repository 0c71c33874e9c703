import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, unique, userId, type ApiCaller } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

/** Asserts a status, showing the gateway's answer when it differs. */
async function expectStatus(call: Promise<{ status: number; json: unknown }>, status: number): Promise<void> {
  const res = await call;
  expect(res.status, JSON.stringify(res.json)).toBe(status);
}

// The permission matrix end to end, against the real MLflow and real IdP tokens:
// admin (gateway administrator), alice (group team-a), bob (no group at first).
describe('permission matrix: experiments and everything in them', () => {
  let stack: Stack;
  let admin: ApiCaller;
  let alice: ApiCaller;
  let bob: ApiCaller;
  let expId: string;
  let runId: string;
  let modelId: string;
  let expName: string;

  beforeAll(async () => {
    stack = await startStack();
    [admin, alice, bob] = await Promise.all([callerFor(stack, 'admin'), callerFor(stack, 'alice'), callerFor(stack, 'bob')]);
    expName = unique('alice-exp');
    const created = await alice.post('experiments/create', { name: expName });
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    expId = created.json.experiment_id;
    const run = await alice.post('runs/create', { experiment_id: expId, tags: [{ key: 'mlflow.user', value: 'mallory' }], user_id: 'mallory' });
    expect(run.status, JSON.stringify(run.json)).toBe(200);
    runId = run.json.run.info.run_id;
    await expectStatus(alice.post('runs/log-metric', { run_id: runId, key: 'loss', value: 0.5, timestamp: Date.now(), step: 0 }), 200);
    const up = await alice.raw('PUT', `/api/2.0/mlflow-artifacts/artifacts/${expId}/${runId}/artifacts/notes.txt`, { body: 'secret notes', headers: { 'content-type': 'text/plain' } });
    expect(up.status).toBe(200);
    const lm = await alice.post('logged-models', { experiment_id: expId, name: 'm' });
    expect(lm.status, JSON.stringify(lm.json)).toBe(200);
    modelId = lm.json.model.info.model_id;
    await bob.get('experiments/get', { experiment_id: '0' }); // records bob in the store
  });
  afterAll(async () => stack?.stop());

  it('the creator gets MANAGE and can use her experiment fully', async () => {
    const grants = await stack.server.gateway.store.grants.listForResource('experiment', expId);
    expect(grants).toEqual([expect.objectContaining({ principalType: 'user', principal: await userId(stack, 'alice'), level: 'MANAGE' })]);
    await expectStatus(alice.get('experiments/get', { experiment_id: expId }), 200);
    await expectStatus(alice.get('runs/get', { run_id: runId }), 200);
    expect((await alice.raw('GET', `/api/2.0/mlflow-artifacts/artifacts/${expId}/${runId}/artifacts/notes.txt`)).json).toEqual({ text: 'secret notes' });
    await expectStatus(alice.get(`logged-models/${modelId}`), 200);
  });

  it('run-attribution-spoofing: mlflow.user is the authenticated user whatever the client sent, and cannot be rewritten', async () => {
    const run = await alice.get('runs/get', { run_id: runId });
    expect(run.json.run.info.user_id).toBe('alice');
    const tags = Object.fromEntries((run.json.run.data.tags as { key: string; value: string }[]).map((t) => [t.key, t.value]));
    expect(tags['mlflow.user']).toBe('alice');
    expect(tags['gateway.subject']).toMatch(/#user-alice$/);
    const rewrite = await alice.post('runs/set-tag', { run_id: runId, key: 'mlflow.user', value: 'mallory' });
    expect(rewrite.status).toBe(403);
    const batch = await alice.post('runs/log-batch', { run_id: runId, tags: [{ key: 'mlflow.user', value: 'mallory' }] });
    expect(batch.status).toBe(403);
    await expectStatus(alice.post('runs/delete-tag', { run_id: runId, key: 'mlflow.user' }), 403);
  });

  it('bob cannot read, write or delete anything in alice\'s experiment', async () => {
    const refusals: [string, Promise<{ status: number }>][] = [
      ['experiments/get', bob.get('experiments/get', { experiment_id: expId })],
      ['experiments/get-by-name', bob.get('experiments/get-by-name', { experiment_name: expName })],
      ['runs/get', bob.get('runs/get', { run_id: runId })],
      ['metrics/get-history', bob.get('metrics/get-history', { run_id: runId, metric_key: 'loss' })],
      ['artifact download', bob.raw('GET', `/api/2.0/mlflow-artifacts/artifacts/${expId}/${runId}/artifacts/notes.txt`)],
      ['artifact list', bob.raw('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${expId}/${runId}/artifacts`)],
      ['get-artifact', bob.raw('GET', `/get-artifact?path=notes.txt&run_uuid=${runId}`)],
      ['logged model', bob.get(`logged-models/${modelId}`)],
      ['log-metric', bob.post('runs/log-metric', { run_id: runId, key: 'x', value: 1, timestamp: 1, step: 0 })],
      ['runs/create', bob.post('runs/create', { experiment_id: expId })],
      ['experiments/delete', bob.post('experiments/delete', { experiment_id: expId })],
      ['artifact upload', bob.raw('PUT', `/api/2.0/mlflow-artifacts/artifacts/${expId}/${runId}/artifacts/evil.txt`, { body: 'x' })],
    ];
    for (const [what, call] of refusals) expect((await call).status, what).toBe(403);
  });

  it('bob does not see alice\'s experiment in search', async () => {
    const found = await bob.post('experiments/search', { max_results: 1000, filter: `name = '${expName}'` });
    expect(found.status).toBe(200);
    expect(found.json.experiments ?? []).toEqual([]);
    const runs = await bob.post('runs/search', { experiment_ids: [expId] });
    expect(runs.json.runs ?? []).toEqual([]);
  });

  it('a group grant of READ makes exactly the reads work for bob', async () => {
    const store = stack.server.gateway.store;
    await store.grants.set({ principalType: 'group', principal: 'team-b', resourceType: 'experiment', resourceId: expId, level: 'READ' });
    stack.idp.setUserGroups('bob', ['team-b']);
    const bobB = await callerFor(stack, 'bob');
    try {
      await expectStatus(bobB.get('experiments/get', { experiment_id: expId }), 200);
      await expectStatus(bobB.get('runs/get', { run_id: runId }), 200);
      expect((await bobB.raw('GET', `/api/2.0/mlflow-artifacts/artifacts/${expId}/${runId}/artifacts/notes.txt`)).status).toBe(200);
      await expectStatus(bobB.post('runs/log-metric', { run_id: runId, key: 'x', value: 1, timestamp: 1, step: 0 }), 403);
      await expectStatus(bobB.post('experiments/delete', { experiment_id: expId }), 403);
    } finally {
      stack.idp.setUserGroups('bob', []);
      await store.grants.delete('group', 'team-b', 'experiment', expId);
    }
  });

  it('a user pattern rule of READ on the experiment name works the same way', async () => {
    const store = stack.server.gateway.store;
    const rule = await store.grants.addPattern({ principalType: 'user', principal: await userId(stack, 'bob'), resourceType: 'experiment', matcher: 'glob', pattern: 'alice-exp-*', level: 'READ' });
    try {
      await expectStatus(bob.get('experiments/get', { experiment_id: expId }), 200);
      await expectStatus(bob.post('runs/log-metric', { run_id: runId, key: 'x', value: 1, timestamp: 1, step: 0 }), 403);
    } finally {
      await store.grants.deletePattern(rule.id);
    }
    await expectStatus(bob.get('experiments/get', { experiment_id: expId }), 403);
  });

  it('an editor cannot delete; an administrator can', async () => {
    const shared = await admin.post('experiments/create', { name: unique('team-a-shared') });
    const id = shared.json.experiment_id as string;
    await stack.server.gateway.store.grants.set({ principalType: 'group', principal: 'team-a', resourceType: 'experiment', resourceId: id, level: 'EDIT' });
    const run = await alice.post('runs/create', { experiment_id: id });
    expect(run.status).toBe(200);
    await expectStatus(alice.post('experiments/update', { experiment_id: id, new_name: unique('renamed') }), 200);
    await expectStatus(alice.post('experiments/delete', { experiment_id: id }), 403);
    await expectStatus(alice.post('runs/delete', { run_id: run.json.run.info.run_id }), 403);
    await expectStatus(admin.post('experiments/delete', { experiment_id: id }), 200);
  });

  it('an id MLflow does not know is answered by MLflow itself (RESOURCE_DOES_NOT_EXIST)', async () => {
    const res = await bob.get('experiments/get-by-name', { experiment_name: unique('no-such') });
    expect(res.status).toBe(404);
    expect(res.json.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(res.json.gateway_code).toBeUndefined();
  });
});

describe('permission matrix: registered models and versions', () => {
  let stack: Stack;
  let alice: ApiCaller;
  let bob: ApiCaller;
  let admin: ApiCaller;
  let name: string;

  beforeAll(async () => {
    stack = await startStack();
    [admin, alice, bob] = await Promise.all([callerFor(stack, 'admin'), callerFor(stack, 'alice'), callerFor(stack, 'bob')]);
    name = unique('alice-model');
    await expectStatus(alice.post('registered-models/create', { name }), 200);
    const exp = await alice.post('experiments/create', { name: unique('model-src') });
    const run = await alice.post('runs/create', { experiment_id: exp.json.experiment_id });
    const mv = await alice.post('model-versions/create', { name, source: `runs:/${run.json.run.info.run_id}/model`, run_id: run.json.run.info.run_id });
    expect(mv.status, JSON.stringify(mv.json)).toBe(200);
    await bob.get('experiments/get', { experiment_id: '0' });
  });
  afterAll(async () => stack?.stop());

  it('bob cannot read, version, alias or delete alice\'s model', async () => {
    await expectStatus(bob.get('registered-models/get', { name }), 403);
    await expectStatus(bob.get('model-versions/get', { name, version: '1' }), 403);
    await expectStatus(bob.post('model-versions/create', { name, source: 'file:///tmp/x' }), 403);
    await expectStatus(bob.post('registered-models/alias', { name, alias: 'prod', version: '1' }), 403);
    await expectStatus(bob.del('registered-models/delete', { name }), 403);
    const search = await bob.get('registered-models/search', { filter: `name = '${name}'` });
    expect(search.json.registered_models ?? []).toEqual([]);
  });

  it('READ lets bob read the model and its versions, nothing more; MANAGE is needed to delete', async () => {
    const store = stack.server.gateway.store;
    await store.grants.set({ principalType: 'user', principal: await userId(stack, 'bob'), resourceType: 'registered_model', resourceId: name, level: 'READ' });
    const got = await bob.get('registered-models/get', { name });
    expect(got.status, JSON.stringify(got.json)).toBe(200);
    await expectStatus(bob.get('model-versions/get', { name, version: '1' }), 200);
    await expectStatus(bob.raw('PATCH', '/api/2.0/mlflow/registered-models/update', { body: JSON.stringify({ name, description: 'x' }), headers: { 'content-type': 'application/json' } }), 403);
    await store.grants.set({ principalType: 'group', principal: 'team-a', resourceType: 'registered_model', resourceId: name, level: 'EDIT' });
    await store.grants.set({ principalType: 'user', principal: await userId(stack, 'alice'), resourceType: 'registered_model', resourceId: name, level: 'EDIT' });
    await expectStatus(alice.raw('PATCH', '/api/2.0/mlflow/registered-models/update', { body: JSON.stringify({ name, description: 'y' }), headers: { 'content-type': 'application/json' } }), 200);
    await expectStatus(alice.del('registered-models/delete', { name }), 403);
    await expectStatus(admin.del('registered-models/delete', { name }), 200);
    // A model later created under the same name starts with no inherited grants.
    expect(await store.grants.listForResource('registered_model', name)).toEqual([]);
  });
});

describe('who may create (GATEWAY_CREATORS)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { GATEWAY_CREATORS: 'team-a' } });
  });
  afterAll(async () => stack?.stop());

  it('only the listed groups (and administrators) create experiments and registered models', async () => {
    const [admin, alice, bob] = await Promise.all([callerFor(stack, 'admin'), callerFor(stack, 'alice'), callerFor(stack, 'bob')]);
    await expectStatus(alice.post('experiments/create', { name: unique('creator-ok') }), 200);
    await expectStatus(admin.post('experiments/create', { name: unique('creator-admin') }), 200);
    await expectStatus(bob.post('experiments/create', { name: unique('creator-no') }), 403);
    await expectStatus(bob.post('registered-models/create', { name: unique('creator-no') }), 403);
  });
});
