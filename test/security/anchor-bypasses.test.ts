import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, unique, type ApiCaller } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

// One test per authorization bypass found in the anchor projects (see shared/research), replayed
// against the gateway with the real MLflow. The default permission is MANAGE on purpose: the
// bypasses that "failed open" did so exactly when no resource resolved and the default applied.
describe('known authorization bypasses of the anchors', () => {
  let stack: Stack;
  let alice: ApiCaller;
  let bob: ApiCaller;
  let admin: ApiCaller;
  let expId: string;
  let runId: string;
  let bobExpId: string;

  beforeAll(async () => {
    stack = await startStack({ env: { GATEWAY_DEFAULT_PERMISSION: 'NO_PERMISSIONS' } });
    [admin, alice, bob] = await Promise.all([callerFor(stack, 'admin'), callerFor(stack, 'alice'), callerFor(stack, 'bob')]);
    expId = (await alice.post('experiments/create', { name: unique('victim') })).json.experiment_id;
    runId = (await alice.post('runs/create', { experiment_id: expId })).json.run.info.run_id;
    await alice.raw('PUT', `/api/2.0/mlflow-artifacts/artifacts/${expId}/${runId}/artifacts/a.txt`, { body: 'alice data' });
    bobExpId = (await bob.post('experiments/create', { name: unique('attacker') })).json.experiment_id;
  });
  afterAll(async () => stack?.stop());

  it('ajax-api-artifact-routes-ungated (#283): the /ajax-api twin of the artifact proxy is checked too', async () => {
    expect((await bob.raw('GET', `/ajax-api/2.0/mlflow-artifacts/artifacts/${expId}/${runId}/artifacts/a.txt`)).status).toBe(403);
    expect((await bob.raw('PUT', `/ajax-api/2.0/mlflow-artifacts/artifacts/${expId}/${runId}/artifacts/b.txt`, { body: 'x' })).status).toBe(403);
    expect((await bob.raw('GET', `/ajax-api/2.0/mlflow-artifacts/artifacts?path=${expId}`)).status).toBe(403);
  });

  it('multipart-upload-without-permission (#283): mpu create/complete/abort need EDIT on the experiment', async () => {
    const body = JSON.stringify({ path: 'big.bin', num_parts: 1 });
    for (const op of ['create', 'complete', 'abort']) {
      const res = await bob.raw('POST', `/api/2.0/mlflow-artifacts/mpu/${op}/${expId}/${runId}/artifacts`, { body, headers: { 'content-type': 'application/json' } });
      expect(res.status, op).toBe(403);
    }
  });

  it('artifact-root-delete (#289): a path naming no experiment is administrators only, even with a MANAGE default', async () => {
    const open = await startStack({ env: { GATEWAY_DEFAULT_PERMISSION: 'MANAGE' } });
    try {
      const mallory = await callerFor(open, 'bob');
      for (const path of ['.', '', 'not-an-experiment/x', '%2e', `${expId}/../..`]) {
        const res = await mallory.raw('DELETE', `/api/2.0/mlflow-artifacts/artifacts/${path}`);
        expect([400, 403], `DELETE artifacts/${path} → ${res.status} ${JSON.stringify(res.json)}`).toContain(res.status);
      }
      const listRoot = await mallory.raw('GET', '/api/2.0/mlflow-artifacts/artifacts');
      expect(listRoot.status).toBe(403);
    } finally {
      await open.stop();
    }
    // The artifacts are still there.
    expect((await alice.raw('GET', `/api/2.0/mlflow-artifacts/artifacts/${expId}/${runId}/artifacts/a.txt`)).json).toEqual({ text: 'alice data' });
  });

  it('ungated-log-inputs-outputs-webhooks (#291): log-inputs, outputs and webhook CRUD are checked', async () => {
    expect((await bob.post('runs/log-inputs', { run_id: runId, datasets: [] })).status).toBe(403);
    expect((await bob.post('runs/outputs', { run_id: runId, models: [] })).status).toBe(403);
    expect((await bob.post('webhooks', { name: 'x', url: 'http://127.0.0.1:9/x', events: [] })).status).toBe(403);
    expect((await bob.get('webhooks')).status).toBe(403);
  });

  it('ungated-traces-and-runs-search (#259): bob finds nothing of alice\'s through the search routes', async () => {
    const runs = await bob.post('runs/search', { experiment_ids: [expId] });
    expect(runs.json.runs ?? []).toEqual([]);
    const traces = await bob.raw('POST', '/api/3.0/mlflow/traces/search', {
      body: JSON.stringify({ locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: expId } }] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(traces.status === 403 || (traces.status === 200 && (traces.json.traces ?? []).length === 0), JSON.stringify(traces.json)).toBe(true);
  });

  it('dual-spelling-field (#270): one id in two spellings with different values is refused', async () => {
    const both = await bob.raw('POST', '/api/2.0/mlflow/runs/log-metric', {
      body: JSON.stringify({ run_id: (await bob.post('runs/create', { experiment_id: bobExpId })).json.run.info.run_id, run_uuid: runId, key: 'k', value: 1, timestamp: 1 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(both.status).toBe(400);
    expect(both.json.gateway_code).toBe('GW_AMBIGUOUS_ID');
    const camel = await bob.raw('POST', '/api/2.0/mlflow/experiments/update', {
      body: JSON.stringify({ experiment_id: bobExpId, experimentId: expId, new_name: 'pwned' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(camel.status).toBe(400);
    const repeated = await bob.raw('GET', `/api/2.0/mlflow/experiments/get?experiment_id=${bobExpId}&experiment_id=${expId}`);
    expect(repeated.status).toBe(400);
  });

  it('hash-in-path (%23/#): an encoded fragment cannot make the gateway check one experiment and MLflow serve another', async () => {
    // Sent byte for byte (fetch would resolve the dot segments itself before sending).
    const base = `/api/2.0/mlflow-artifacts/artifacts/${bobExpId}`;
    const tail = `${expId}/${runId}/artifacts/a.txt`;
    for (const path of [`${base}%23/../${tail}`, `${base}#/../${tail}`, `${base};x=/../${tail}`, `${base}/%2e%2e/${tail}`, `${base}%2f..%2f${tail}`]) {
      const status = await rawPathStatus(stack, path, bob.token);
      expect([400, 403], `${path} → ${status}`).toContain(status);
    }
  });

  it('unknown-route-fail-open: a route the gateway does not know is refused for non-admins', async () => {
    const res = await bob.get('experiments/not-a-real-route');
    expect(res.status).toBe(403);
    expect(res.json.gateway_code).toBe('GW_UNKNOWN_ROUTE');
    expect((await admin.get('experiments/not-a-real-route')).status).toBe(404); // MLflow's own answer
  });

  it('assistant-code-execution: the assistant routes are blocked for everyone, administrators included', async () => {
    const res = await admin.raw('POST', '/ajax-api/3.0/mlflow/assistant/message', { body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(403);
    expect(res.json.gateway_code).toBe('GW_ROUTE_BLOCKED');
  });
});

/** GET with the path exactly as given (no client-side normalisation), returning the status. */
function rawPathStatus(stack: Stack, path: string, token: string): Promise<number> {
  const url = new URL(stack.gatewayUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'GET', path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}
