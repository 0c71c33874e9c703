import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, unique, type ApiCaller } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

// Issue #14 let MLflow answer more requests itself and opened the AI gateway's secrets and model
// definitions to non-administrators. Each test replays the attack those changes could have opened.
describe('transparency without bypasses', () => {
  let stack: Stack;
  let alice: ApiCaller;
  let bob: ApiCaller;
  let expId: string;
  let modelId: string;
  let secretId: string;
  let definitionId: string;
  let endpointId: string;
  const post3 = (c: ApiCaller, path: string, body: unknown) =>
    c.raw('POST', `/api/3.0/mlflow/${path}`, { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const get3 = (c: ApiCaller, path: string, query = '') => c.raw('GET', `/api/3.0/mlflow/${path}${query ? `?${query}` : ''}`);

  beforeAll(async () => {
    stack = await startStack({ env: { GATEWAY_DEFAULT_PERMISSION: 'NO_PERMISSIONS' } });
    [alice, bob] = await Promise.all([callerFor(stack, 'alice'), callerFor(stack, 'bob')]);
    expId = (await alice.post('experiments/create', { name: unique('tp-victim') })).json.experiment_id;
    modelId = (await alice.post('logged-models', { experiment_id: expId, name: 'm' })).json.model.info.model_id;
    expect(modelId).toMatch(/^m-/);
    await post3(alice, 'datasets/create', { name: unique('tp-ds'), experiment_ids: [expId] });
    await post3(alice, 'issues', { experiment_id: expId, name: 'secret issue', description: 'alice only' });
    const secret = await post3(alice, 'gateway/secrets/create', { secret_name: unique('tp-secret'), secret_value: { api_key: 'sk-alice-0000' }, provider: 'openai' });
    expect(secret.status, JSON.stringify(secret.json)).toBe(200);
    secretId = secret.json.secret.secret_id;
    const def = await post3(alice, 'gateway/model-definitions/create', { name: unique('tp-def'), secret_id: secretId, provider: 'openai', model_name: 'gpt-4o' });
    expect(def.status, JSON.stringify(def.json)).toBe(200);
    definitionId = def.json.model_definition.model_definition_id;
    const ep = await post3(alice, 'gateway/endpoints/create', {
      name: unique('tp-ep').replace(/[^A-Za-z0-9_.-]/g, '-'),
      model_configs: [{ model_definition_id: definitionId, linkage_type: 'PRIMARY', weight: 1 }],
      usage_tracking: false,
    });
    expect(ep.status, JSON.stringify(ep.json)).toBe(200);
    endpointId = ep.json.endpoint.endpoint_id;
    await post3(alice, 'gateway/endpoints/bindings/create', { endpoint_id: endpointId, resource_type: 'scorer', resource_id: 'alice-scorer' });
  });
  afterAll(async () => stack?.stop());

  it('missing-id-smuggling: a request lacking its required id still has every id it names checked', async () => {
    // No run_id (MLflow refuses that), but the logged model named is alice's: refused before MLflow.
    const r = await bob.post('runs/log-metric', { key: 'k', value: 1, timestamp: 1, model_id: modelId });
    expect(r.status).toBe(403);
    // Nothing of alice's named: MLflow's own validation answers.
    const m = await bob.post('runs/log-metric', { key: 'k', value: 1, timestamp: 1 });
    expect(m.status).toBe(400);
    expect(m.json).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("Missing value for required parameter 'run_id'") });
    expect(m.json.gateway_code).toBeUndefined();
  });

  it('mistyped-field-smuggling: a wrongly typed field does not skip the check of the run it writes to', async () => {
    const runId = (await alice.post('runs/create', { experiment_id: expId })).json.run.info.run_id;
    const r = await bob.post('runs/log-batch', { run_id: runId, metrics: { key: 'a' } });
    expect(r.status).toBe(403);
  });

  it('unscoped-search-leak: searches MLflow allows without a scope list nothing unreadable', async () => {
    const datasets = await post3(bob, 'datasets/search', {});
    expect(datasets.status).toBe(200);
    expect(datasets.json.datasets ?? []).toEqual([]);
    const datasetsGet = await get3(bob, 'datasets/search', 'max_results=50');
    expect(datasetsGet.json.datasets ?? []).toEqual([]);
    const issues = await post3(bob, 'issues/search', {});
    expect(issues.status).toBe(200);
    expect((issues.json.issues ?? []).filter((i: { experiment_id: string }) => i.experiment_id === expId)).toEqual([]);
    const bindings = await get3(bob, 'gateway/endpoints/bindings/list', 'resource_type=scorer');
    expect(bindings.status).toBe(200);
    expect(bindings.json.bindings ?? []).toEqual([]);
    // alice sees her own.
    expect((await post3(alice, 'issues/search', {})).json.issues.map((i: { experiment_id: string }) => i.experiment_id)).toContain(expId);
    expect((await get3(alice, 'gateway/endpoints/bindings/list', 'resource_type=scorer')).json.bindings.map((b: { endpoint_id: string }) => b.endpoint_id)).toContain(endpointId);
  });

  it('gateway-credential-reuse: another user can neither see alice\'s secret nor build on it', async () => {
    expect((await get3(bob, 'gateway/secrets/get', `secret_id=${secretId}`)).status).toBe(403);
    expect((await get3(bob, 'gateway/secrets/list')).json.secrets ?? []).toEqual([]);
    expect((await get3(bob, 'gateway/model-definitions/get', `model_definition_id=${definitionId}`)).status).toBe(403);
    expect((await get3(bob, 'gateway/model-definitions/list')).json.model_definitions ?? []).toEqual([]);
    // Wrapping alice's secret into bob's own model definition, or her definition into his endpoint.
    expect((await post3(bob, 'gateway/model-definitions/create', { name: unique('evil'), secret_id: secretId, provider: 'openai', model_name: 'gpt-4o' })).status).toBe(403);
    const evilEp = await post3(bob, 'gateway/endpoints/create', { name: unique('evil-ep'), model_configs: [{ model_definition_id: definitionId, linkage_type: 'PRIMARY', weight: 1 }] });
    expect(evilEp.status).toBe(403);
    expect((await post3(bob, 'gateway/secrets/update', { secret_id: secretId, secret_value: { api_key: 'sk-bob' } })).status).toBe(403);
    // alice, the creator, manages them; the secret's value comes back masked only.
    const mine = await get3(alice, 'gateway/secrets/get', `secret_id=${secretId}`);
    expect(mine.status).toBe(200);
    expect(JSON.stringify(mine.json)).not.toContain('sk-alice-0000');
    expect((await get3(alice, 'gateway/secrets/list')).json.secrets.map((s: { secret_id: string }) => s.secret_id)).toContain(secretId);
  });

  it('posture-disclosure: the secrets configuration hides the default-passphrase signal from non-administrators', async () => {
    const r = await bob.raw('GET', '/ajax-api/3.0/mlflow/gateway/secrets/config');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ secrets_available: true });
    const admin = await callerFor(stack, 'admin');
    expect((await admin.raw('GET', '/ajax-api/3.0/mlflow/gateway/secrets/config')).json).toHaveProperty('using_default_passphrase');
  });
});
