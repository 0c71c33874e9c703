import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, unique, type ApiCaller } from '../support/mlflow-api.js';
import { runPython } from '../support/python.js';
import { startStack, type Stack } from '../support/stack.js';

// Denial messages must not disclose names. Experiment ids are sequential: if a 403 for an id the
// caller may not read named the experiment ("read on experiment 'secret-project' (7)"), anyone
// signed in could list every experiment name on the server — directly, or through the runs,
// traces and logged models that belong to it. A denial names only what the caller sent; the
// looked-up names go to the access and audit logs.
const MAKE_TRACE = `
import os, mlflow
mlflow.set_tracking_uri(os.environ["GW_URL"])
mlflow.set_experiment(experiment_id=os.environ["EXP_ID"])
with mlflow.start_span("secret-span") as span:
    span.set_inputs({"q": "x"})
mlflow.flush_trace_async_logging()
print("TRACE_ID=" + span.trace_id)
`;

interface Secret { experimentId: string; name: string; runId: string; loggedModelId: string; traceId: string }

describe('denial name disclosure', () => {
  let stack: Stack;
  let owner: ApiCaller;
  let intruder: ApiCaller;
  const secrets: Secret[] = [];

  beforeAll(async () => {
    stack = await startStack();
    [owner, intruder] = await Promise.all([callerFor(stack, 'alice'), callerFor(stack, 'bob')]);
    for (let i = 0; i < 3; i++) {
      const name = unique(`secret-project-${i}`);
      const created = await owner.post('experiments/create', { name });
      expect(created.status, JSON.stringify(created.json)).toBe(200);
      const experimentId = created.json.experiment_id as string;
      const run = await owner.post('runs/create', { experiment_id: experimentId, run_name: `${name}-run` });
      expect(run.status).toBe(200);
      const model = await owner.post('logged-models', { experiment_id: experimentId, name: `${name}-model` });
      expect(model.status, JSON.stringify(model.json)).toBe(200);
      const trace = await runPython(MAKE_TRACE, { GW_URL: stack.gatewayUrl, EXP_ID: experimentId, MLFLOW_TRACKING_TOKEN: owner.token });
      expect(trace.code, trace.stderr).toBe(0);
      secrets.push({ experimentId, name, runId: run.json.run.info.run_id, loggedModelId: model.json.model.info.model_id, traceId: /TRACE_ID=(\S+)/.exec(trace.stdout)![1]! });
    }
  }, 240_000);
  afterAll(async () => stack?.stop());

  /** Every answer the intruder gets, body and headers, for the assertions. */
  const answers: { what: string; status: number; text: string }[] = [];
  async function probe(_label: string, method: string, path: string, body?: unknown): Promise<void> {
    const res = await fetch(`${stack.gatewayUrl}${path}`, {
      method, headers: { authorization: `Bearer ${intruder.token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const headers = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
    answers.push({ what: `${method} ${path}`, status: res.status, text: `${headers}\n\n${await res.text()}` });
  }

  it('enumerating experiment ids 1..N (and their runs, traces, logged models) never names another experiment', async () => {
    const maxId = Math.max(...secrets.map((s) => Number(s.experimentId))) + 2;
    for (let id = 0; id <= maxId; id++) {
      const e = String(id);
      await probe('get', 'GET', `/api/2.0/mlflow/experiments/get?experiment_id=${e}`);
      await probe('get ajax', 'GET', `/ajax-api/2.0/mlflow/experiments/get?experiment_id=${e}`);
      await probe('update', 'POST', '/api/2.0/mlflow/experiments/update', { experiment_id: e, new_name: unique('stolen') });
      await probe('tag', 'POST', '/api/2.0/mlflow/experiments/set-experiment-tag', { experiment_id: e, key: 'k', value: 'v' });
      await probe('delete', 'POST', '/api/2.0/mlflow/experiments/delete', { experiment_id: e });
      await probe('create run', 'POST', '/api/2.0/mlflow/runs/create', { experiment_id: e });
      await probe('create logged model', 'POST', '/api/2.0/mlflow/logged-models', { experiment_id: e, name: 'm' });
      await probe('artifacts', 'GET', `/api/2.0/mlflow-artifacts/artifacts?path=${e}`);
      await probe('artifact file', 'GET', `/api/2.0/mlflow-artifacts/artifacts/${e}/x.txt`);
      await probe('graphql', 'POST', '/graphql', { query: `query { mlflowGetExperiment(input: {experimentId: "${e}"}) { experiment { name } } }` });
      await probe('search runs', 'POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [e] });
      await probe('search traces', 'POST', '/api/3.0/mlflow/traces/search', { locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: e } }] });
      await probe('trace metrics', 'POST', '/api/3.0/mlflow/traces/metrics', { experiment_ids: [e] });
    }
    for (const s of secrets) {
      await probe('run', 'GET', `/api/2.0/mlflow/runs/get?run_id=${s.runId}`);
      await probe('run metric', 'POST', '/api/2.0/mlflow/runs/log-metric', { run_id: s.runId, key: 'k', value: 1, timestamp: 1, step: 0 });
      await probe('run artifacts', 'GET', `/api/2.0/mlflow/artifacts/list?run_id=${s.runId}`);
      await probe('run artifact', 'GET', `/get-artifact?run_id=${s.runId}&path=x`);
      await probe('run graphql', 'POST', '/graphql', { query: `query { mlflowGetRun(input: {runId: "${s.runId}"}) { run { info { experimentId } } } }` });
      await probe('trace v3', 'GET', `/api/3.0/mlflow/traces/${s.traceId}`);
      await probe('trace v2 info', 'GET', `/api/2.0/mlflow/traces/${s.traceId}/info`);
      await probe('trace tag', 'PATCH', `/api/3.0/mlflow/traces/${s.traceId}/tags`, { key: 'k', value: 'v' });
      await probe('trace artifact', 'GET', `/ajax-api/3.0/get-trace-artifact?request_id=${s.traceId}`);
      await probe('logged model', 'GET', `/api/2.0/mlflow/logged-models/${s.loggedModelId}`);
      await probe('logged model tags', 'PATCH', `/api/2.0/mlflow/logged-models/${s.loggedModelId}/tags`, { tags: [{ key: 'k', value: 'v' }] });
    }

    const leaks = answers.flatMap((a) => secrets.filter((s) => a.text.includes(s.name)).map((s) => `${a.what} → ${a.status} names '${s.name}'`));
    expect(leaks).toEqual([]);
    // The probes were refused (not vacuous): every one that named a secret id got 403 or 404, or an empty filtered answer.
    const denied = answers.filter((a) => a.status === 403);
    expect(denied.length).toBeGreaterThan(secrets.length * 15);
    for (const a of denied) expect(a.text, a.what).toMatch(/"gateway_code":"GW_(DENIED|UNKNOWN_ROUTE|ROUTE_BLOCKED)"/);
    // A denial names what the caller sent.
    const one = answers.find((a) => a.what === `GET /api/2.0/mlflow/runs/get?run_id=${secrets[0]!.runId}`)!;
    expect(one.status).toBe(403);
    expect(one.text).toContain(`run '${secrets[0]!.runId}'`);
    expect(one.text).not.toContain(`experiment '${secrets[0]!.experimentId}'`); // not even the looked-up id
  }, 300_000);

  it('the looked-up name and the full reason are in the access log and the audit log', async () => {
    const s = secrets[0]!;
    const res = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/runs/get?run_id=${s.runId}`, { headers: { authorization: `Bearer ${intruder.token}` } });
    expect(res.status).toBe(403);
    const requestId = res.headers.get('x-request-id');
    const line = stack.logs.find((l) => l.includes('"event":"request"') && (requestId === null || l.includes(requestId)) && l.includes(s.name));
    expect(line, 'access-log line with the looked-up experiment name').toBeDefined();
    await expect.poll(async () => (await stack.server.gateway.store.audit.list({ limit: 50, actor: 'bob', action: 'request.denied' }))
      .some((e) => (e.reason ?? '').includes(`'${s.name}' (${s.experimentId})`)), { timeout: 10_000 }).toBe(true);
    // Administrators read it in the audit API; the intruder reading their own audit events does not.
    const adminView = await (await callerFor(stack, 'admin')).raw('GET', '/_gateway/api/v1/audit?actor=bob&action=request.denied&limit=500');
    expect(JSON.stringify(adminView.json)).toContain(s.name);
    for (const path of ['/_gateway/api/v1/audit?limit=500', '/_gateway/api/v1/audit/export?format=csv', '/_gateway/api/v1/audit/export?format=json']) {
      const own = await intruder.raw('GET', path);
      expect(own.status, path).toBe(200);
      const text = JSON.stringify(own.json);
      expect(text, path).toContain('request.denied');
      for (const secret of secrets) expect(text, path).not.toContain(secret.name);
    }
  });
});
