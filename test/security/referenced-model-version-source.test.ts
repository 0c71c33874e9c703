import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';
import { callerFor, unique, type ApiCaller, type ApiResult } from '../support/mlflow-api.js';
import { mlflow } from '../support/filtered-fixtures.js';

// Issue #13 §1: a request may name resources other than the one the route table authorizes.
// bob owns experiment E (run rB) and registered model `mine`; experiment H (run rH, logged model
// lmH) and registered model `hidden` (version 1, alias champion) belong to nobody bob can read.
// Registering a version of `mine` whose `source` points at `hidden` made MLflow copy hidden's
// storage location, after which model-versions/get-artifact on `mine` served hidden's files.

let stack: Stack;
let bob: ApiCaller;
let expE: string;
let rB: string;
let expH: string;
let rH: string;
let lmH: string;
const mine = unique('ref-mine');
const hidden = unique('ref-hidden');

function denied(r: ApiResult): void {
  expect(r.status, JSON.stringify(r.json)).toBe(403);
  expect(r.json.gateway_code).toBe('GW_DENIED');
}
/** MLflow's own answer: no gateway_code. */
function fromMlflow(r: ApiResult, status: number): void {
  expect(r.status, JSON.stringify(r.json)).toBe(status);
  expect(r.json.gateway_code).toBeUndefined();
}

beforeAll(async () => {
  stack = await startStack();
  bob = await callerFor(stack, 'bob');
  expE = (await bob.post('experiments/create', { name: unique('ref-bob') })).json.experiment_id as string;
  rB = (await bob.post('runs/create', { experiment_id: expE })).json.run.info.run_id as string;
  expect((await bob.post('registered-models/create', { name: mine })).status).toBe(200);
  expH = (await mlflow<{ experiment_id: string }>('POST', '/api/2.0/mlflow/experiments/create', { name: unique('ref-hidden-exp') })).experiment_id;
  rH = (await mlflow<{ run: { info: { run_id: string } } }>('POST', '/api/2.0/mlflow/runs/create', { experiment_id: expH })).run.info.run_id;
  lmH = (await mlflow<{ model: { info: { model_id: string } } }>('POST', '/api/2.0/mlflow/logged-models', { experiment_id: expH, name: 'lm' })).model.info.model_id;
  await mlflow('POST', '/api/2.0/mlflow/registered-models/create', { name: hidden });
  await mlflow('POST', '/api/2.0/mlflow/model-versions/create', { name: hidden, source: `runs:/${rH}/model`, run_id: rH });
  await mlflow('POST', '/api/2.0/mlflow/registered-models/alias', { name: hidden, alias: 'champion', version: '1' });
});
afterAll(async () => stack?.stop());

const createVersion = (body: Record<string, unknown>) => bob.post('model-versions/create', { name: mine, ...body });

describe('model-versions/create: a source naming what the caller may not read is refused', () => {
  it.each([
    ['models:/<name>/<version>', () => `models:/${hidden}/1`],
    ['models:/<name>@<alias>', () => `models:/${hidden}@champion`],
    ['models:/<name>/latest', () => `models:/${hidden}/latest`],
    ['models:/<name>/<stage>', () => `models:/${hidden}/Production`],
    ['models:///<name>/<version> (empty authority)', () => `models:///${hidden}/1`],
    ['MODELS:/ (scheme case)', () => `MODELS:/${hidden}/1`],
    ['percent-encoded name', () => `models:/${encodeURIComponent(hidden).replace(/-/g, '%2D')}/1`],
    ['trailing slash', () => `models:/${hidden}/1/`],
    ['models:/m-<logged model id>', () => `models:/${lmH}`],
    ['runs:/<run id>/<path>', () => `runs:/${rH}/model`],
    ['mlflow-artifacts:/<experiment>/…', () => `mlflow-artifacts:/${expH}/${rH}/artifacts/model`],
    ['mlflow-artifacts://host/<experiment>/…', () => `mlflow-artifacts://127.0.0.1/${expH}/${rH}/artifacts/model`],
  ])('%s', async (_what, source) => {
    denied(await createVersion({ source: source() }));
    denied(await createVersion({ source: source(), run_id: rB }));
  });

  it('run_id and model_id naming unreadable objects are refused too', async () => {
    denied(await createVersion({ source: `runs:/${rH}/model`, run_id: rH }));
    denied(await createVersion({ source: 's3://elsewhere/model', runId: rH }));
    denied(await createVersion({ source: `models:/${lmH}`, model_id: lmH }));
  });

  it('after the refusals, no version of `mine` points at hidden data', async () => {
    const versions = await mlflow<{ model_versions?: { source: string; run_id?: string }[] }>('GET', `/api/2.0/mlflow/model-versions/search?filter=${encodeURIComponent(`name='${mine}'`)}`);
    for (const v of versions.model_versions ?? []) {
      expect(v.source).not.toContain(hidden);
      expect(v.run_id ?? '').not.toBe(rH);
    }
  });
});

describe('references the caller may read, and references to nothing on this server', () => {
  it('a version copied from a readable model version is accepted', async () => {
    const first = await createVersion({ source: `runs:/${rB}/model`, run_id: rB });
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    const copy = await createVersion({ source: `models:/${mine}/${first.json.model_version.version as string}` });
    expect(copy.status, JSON.stringify(copy.json)).toBe(200);
  });

  it('a run that lives on another tracking server is MLflow\'s business (issue #14: passed on)', async () => {
    const r = await createVersion({ source: 's3://other-server/artifacts/model', run_id: randomUUID().replace(/-/g, '') });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
  });

  it('a source naming a model that does not exist gets MLflow\'s own answer', async () => {
    fromMlflow(await createVersion({ source: `models:/${unique('no-such-model')}/1` }), 404);
  });

  it('logged-models with an unknown source_run_id is passed on to MLflow', async () => {
    const r = await bob.post('logged-models', { experiment_id: expE, name: 'lm', source_run_id: randomUUID().replace(/-/g, '') });
    expect(r.json.gateway_code, JSON.stringify(r.json)).toBeUndefined();
    denied(await bob.post('logged-models', { experiment_id: expE, name: 'lm', source_run_id: rH }));
  });

  it('linking a trace whose export has not arrived yet is passed on; a foreign existing trace is refused', async () => {
    const r = await bob.post('traces/link-to-run', { run_id: rB, trace_ids: [`tr-${randomUUID().replace(/-/g, '')}`] });
    expect(r.json.gateway_code, JSON.stringify(r.json)).toBeUndefined();
    const trace = await mlflow<{ trace: { trace_info: { trace_id: string } } }>('POST', '/api/3.0/mlflow/traces', {
      trace: { trace_info: { trace_id: `tr-${randomUUID().replace(/-/g, '')}`, trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: expH } }, request_time: '2024-01-01T00:00:00Z', state: 'OK' } },
    });
    denied(await bob.post('traces/link-to-run', { run_id: rB, trace_ids: [trace.trace.trace_info.trace_id] }));
  });

  it('StartTraceV3 naming an existing trace of another experiment is refused (MLflow would merge into it)', async () => {
    const id = `tr-${randomUUID().replace(/-/g, '')}`;
    const info = (experiment_id: string) => ({ trace: { trace_info: { trace_id: id, trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id } }, request_time: '2024-01-01T00:00:00Z', state: 'OK', tags: { injected: 'yes' } } } });
    await mlflow('POST', '/api/3.0/mlflow/traces', info(expH));
    const r = await bob.raw('POST', '/api/3.0/mlflow/traces', { body: JSON.stringify(info(expE)), headers: { 'content-type': 'application/json' } });
    denied(r);
  });

  it('a request MLflow refuses for a missing required field cannot reach a hidden experiment: only an unknown id is passed on', async () => {
    // create-promptlab-run without prompt_template: MLflow answers 400 before any store call, so
    // naming an experiment that does not exist is forwarded (MLflow's message, issue #14) ...
    const unknown = await bob.raw('POST', '/ajax-api/2.0/mlflow/runs/create-promptlab-run', { body: JSON.stringify({ experiment_id: '987654321' }), headers: { 'content-type': 'application/json' } });
    fromMlflow(unknown, 400);
    expect(unknown.json.message).toContain('must specify prompt_template');
    // ... but an existing experiment bob may not read is still refused, missing field or not.
    denied(await bob.raw('POST', '/ajax-api/2.0/mlflow/runs/create-promptlab-run', { body: JSON.stringify({ experiment_id: expH }), headers: { 'content-type': 'application/json' } }));
  });

  it('primary ids MLflow does not know get MLflow\'s answer (404, 400 for a malformed id)', async () => {
    fromMlflow(await bob.get('runs/get', { run_id: randomUUID().replace(/-/g, '') }), 404);
    fromMlflow(await bob.get('experiments/get-by-name', { experiment_name: unique('no-such') }), 404);
    const malformed = await bob.get('experiments/get', { experiment_id: 'not-a-number' });
    expect(malformed.json.gateway_code, JSON.stringify(malformed.json)).toBeUndefined();
    expect(malformed.status).toBe(400);
  });

  it('a write naming a guessable id that does not exist yet is not forwarded (it would race its creation) and answers MLflow\'s own not-found', async () => {
    const body = { experiment_id: '987654321', key: 'k', value: 'v' };
    const r = await bob.post('experiments/set-experiment-tag', body);
    expect(r.status).toBe(404);
    // MLflow's own body for that write (no gateway_code: indistinguishable from MLflow's answer).
    const direct = await fetch(`${inject('mlflowUrl')}/api/2.0/mlflow/experiments/set-experiment-tag`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    expect(direct.status).toBe(404);
    expect(r.json).toEqual(await direct.json());
    const model = unique('ref-not-yet');
    const m = await bob.post('registered-models/set-tag', { name: model, key: 'k', value: 'v' });
    expect(m.status).toBe(404);
    expect(m.json).toMatchObject({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Registered Model with name=${model} not found` });
    expect(m.json.gateway_code).toBeUndefined();
  });
});
