import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { callerFor, unique, userId, type ApiCaller } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

// Issue #16: answers that embed model versions are redacted to the versions the caller may read.
// bob may read (later: edit) the registered model; a DENY on one version hides it from
// registered-models/get, search, rename, update (REST 2.0 and the ajax twin), get-latest-versions
// and the alias lookup, on the pinned MLflow (3.x still returns latest_versions, one per stage).

describe('model versions embedded in model answers follow version grants', () => {
  let stack: Stack;
  let bob: ApiCaller;
  let name: string;
  const mlflowUrl = inject('mlflowUrl');

  async function mlflow<T = Record<string, any>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${mlflowUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    return (await res.json()) as T;
  }
  const versionsOf = (model: any): string[] => ((model?.latest_versions ?? []) as { version: string }[]).map((v) => v.version).sort();

  beforeAll(async () => {
    stack = await startStack();
    bob = await callerFor(stack, 'bob');
    await bob.get('experiments/search', { max_results: '1' });
    name = unique('embedded');
    const exp = await mlflow<{ experiment_id: string }>('POST', '/api/2.0/mlflow/experiments/create', { name: unique('embedded-exp') });
    const run = await mlflow<{ run: { info: { run_id: string } } }>('POST', '/api/2.0/mlflow/runs/create', { experiment_id: exp.experiment_id });
    await mlflow('POST', '/api/2.0/mlflow/registered-models/create', { name });
    for (let v = 0; v < 3; v++) await mlflow('POST', '/api/2.0/mlflow/model-versions/create', { name, source: `runs:/${run.run.info.run_id}/model`, run_id: run.run.info.run_id });
    // One version per stage: latest_versions then lists all three.
    await mlflow('POST', '/api/2.0/mlflow/model-versions/transition-stage', { name, version: '1', stage: 'Staging', archive_existing_versions: false });
    await mlflow('POST', '/api/2.0/mlflow/model-versions/transition-stage', { name, version: '2', stage: 'Production', archive_existing_versions: false });
    await mlflow('POST', '/api/2.0/mlflow/registered-models/alias', { name, alias: 'champion', version: '2' });
    await mlflow('POST', '/api/2.0/mlflow/registered-models/alias', { name, alias: 'old', version: '1' });
    const bobId = await userId(stack, 'bob');
    await stack.server.gateway.store.grants.set({ principalType: 'user', principal: bobId, resourceType: 'registered_model', resourceId: name, level: 'EDIT' });
  });
  afterAll(async () => stack?.stop());

  it('without a version grant every latest version is shown', async () => {
    const r = await bob.get('registered-models/get', { name });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(versionsOf(r.json.registered_model)).toEqual(['1', '2', '3']);
  });

  it('a version DENY does not leak that version through latest_versions, search, get-latest-versions or an alias', async () => {
    const bobId = await userId(stack, 'bob');
    await stack.server.gateway.store.grants.set({ principalType: 'user', principal: bobId, resourceType: 'model_version', resourceId: `${name}/2`, level: 'DENY' });
    const got = await bob.get('registered-models/get', { name });
    expect(got.status).toBe(200);
    expect(versionsOf(got.json.registered_model)).toEqual(['1', '3']);
    const ajax = await bob.raw('GET', `/ajax-api/2.0/mlflow/registered-models/get?name=${encodeURIComponent(name)}`);
    expect(versionsOf(ajax.json.registered_model)).toEqual(['1', '3']);
    const search = await bob.get('registered-models/search', { filter: `name = '${name}'` });
    expect(search.status, JSON.stringify(search.json)).toBe(200);
    expect(search.json.registered_models).toHaveLength(1);
    expect(versionsOf(search.json.registered_models[0])).toEqual(['1', '3']);
    const latest = await bob.post('registered-models/get-latest-versions', { name });
    expect(((latest.json.model_versions ?? []) as { version: string }[]).map((v) => v.version).sort()).toEqual(['1', '3']);
    const latestProd = await bob.post('registered-models/get-latest-versions', { name, stages: ['Production'] });
    expect(latestProd).toEqual({ status: 200, json: {} });
    const champion = await bob.get('registered-models/alias', { name, alias: 'champion' });
    expect(champion.status).toBe(403);
    expect(champion.json.gateway_code).toBe('GW_DENIED');
    expect((await bob.get('registered-models/alias', { name, alias: 'old' })).status).toBe(200);
    expect((await bob.get('model-versions/get', { name, version: '2' })).json.gateway_code).toBe('GW_DENIED');
  });

  it('update and rename answers are redacted too (the grants move with the model)', async () => {
    const updated = await bob.raw('PATCH', '/api/2.0/mlflow/registered-models/update', { body: JSON.stringify({ name, description: 'redacted?' }), headers: { 'content-type': 'application/json' } });
    expect(updated.status, JSON.stringify(updated.json)).toBe(200);
    expect(updated.json.registered_model.description).toBe('redacted?');
    // MLflow answers update and rename with the whole model (SqlRegisteredModel.to_mlflow_entity), latest_versions included.
    expect(versionsOf(updated.json.registered_model)).toEqual(['1', '3']);
    const renamed = await bob.post('registered-models/rename', { name, new_name: `${name}-renamed` });
    expect(renamed.status, JSON.stringify(renamed.json)).toBe(200);
    expect(renamed.json.registered_model.name).toBe(`${name}-renamed`);
    expect(versionsOf(renamed.json.registered_model)).toEqual(['1', '3']);
    const got = await bob.get('registered-models/get', { name: `${name}-renamed` });
    expect(versionsOf(got.json.registered_model)).toEqual(['1', '3']);
  });
});
