import { describe, expect, it } from 'vitest';
import { classify } from './classify.js';
import { extractIds, extractReferences, lowerCamel, missingRequiredField } from './ids.js';
import type { ExtractInput, ExtractResult } from './ids.js';
import type { RouteSpec } from './types.js';

function route(method: string, path: string): { route: RouteSpec; params: Readonly<Record<string, string>> } {
  const r = classify(method, path);
  if (!r.ok) throw new Error(`unclassified ${method} ${path}`);
  return r;
}

function extract(
  method: string,
  path: string,
  opts: { query?: string; body?: unknown; headers?: ExtractInput['headers'] } = {},
): ExtractResult {
  const { route: spec, params } = route(method, path);
  return extractIds(spec, {
    method,
    query: new URLSearchParams(opts.query ?? ''),
    body: opts.body,
    params,
    headers: opts.headers ?? {},
  });
}

function ids(r: ExtractResult): Record<string, readonly string[]> {
  if (!r.ok) throw new Error(`expected ids, got ${r.code}: ${r.message}`);
  const out: Record<string, readonly string[]> = {};
  for (const id of r.ids) out[`${id.kind}:${id.action}`] = id.values;
  return out;
}

describe('extractIds: where MLflow reads ids', () => {
  it('reads the query string for a GET with a query, ignoring the body', () => {
    expect(ids(extract('GET', '/api/2.0/mlflow/experiments/get', { query: 'experiment_id=1', body: { experiment_id: '2' } }))).toEqual({
      'experiment_id:read': ['1'],
    });
  });

  it('reads the JSON body for a GET without a query (MLflow parses the body with force=True)', () => {
    expect(ids(extract('GET', '/api/2.0/mlflow/experiments/get', { body: { experiment_id: '2' } }))).toEqual({ 'experiment_id:read': ['2'] });
    expect(ids(extract('HEAD', '/api/2.0/mlflow/experiments/get', { body: { experiment_id: '2' } }))).toEqual({ 'experiment_id:read': ['2'] });
  });

  it('reads the body, not the query, for POST and DELETE', () => {
    expect(ids(extract('POST', '/api/2.0/mlflow/runs/create', { query: 'experiment_id=1', body: { experiment_id: '7' } }))).toEqual({
      'experiment_id:update': ['7'],
    });
    expect(ids(extract('DELETE', '/api/2.0/mlflow/registered-models/delete', { query: 'name=a', body: { name: 'b' } }))).toEqual({
      'model_name:delete': ['b'],
    });
    const missing = extract('DELETE', '/api/2.0/mlflow/registered-models/delete', { query: 'name=a' });
    expect(missing).toMatchObject({ ok: false, code: 'GW_MISSING_ID' });
  });

  it('accepts lowerCamelCase spellings, also nested', () => {
    expect(ids(extract('POST', '/api/2.0/mlflow/runs/create', { body: { experimentId: '3' } }))).toEqual({ 'experiment_id:update': ['3'] });
    expect(
      ids(
        extract('POST', '/api/3.0/mlflow/traces', {
          body: { trace: { traceInfo: { trace_location: { mlflowExperiment: { experimentId: '4' } } } } },
        }),
      ),
    ).toEqual({ 'experiment_id:update': ['4'] });
    expect(lowerCamel('trace_ids')).toBe('traceIds');
  });

  it('accepts run_uuid as the legacy spelling of run_id', () => {
    expect(ids(extract('GET', '/api/2.0/mlflow/runs/get', { query: 'run_uuid=abc' }))).toEqual({ 'run_id:read': ['abc'] });
    expect(ids(extract('POST', '/api/2.0/mlflow/runs/update', { body: { runUuid: 'abc' } }))).toEqual({ 'run_id:update': ['abc'] });
    expect(ids(extract('GET', '/get-artifact', { query: 'run_uuid=abc&path=model' }))).toEqual({ 'run_id:read': ['abc'] });
  });

  it('accepts the same value spelled twice', () => {
    expect(ids(extract('POST', '/api/2.0/mlflow/runs/update', { body: { run_id: 'abc', run_uuid: 'abc' } }))).toEqual({
      'run_id:update': ['abc'],
    });
  });

  it('reads path parameters and headers', () => {
    expect(ids(extract('GET', '/api/3.0/mlflow/traces/tr-1'))).toEqual({ 'trace_id:read': ['tr-1'] });
    expect(ids(extract('POST', '/v1/traces', { headers: { 'x-mlflow-experiment-id': '5' } }))).toEqual({ 'experiment_id:update': ['5'] });
    expect(extract('POST', '/v1/traces')).toMatchObject({ ok: false, code: 'GW_MISSING_ID' });
    expect(extract('POST', '/v1/traces', { headers: { 'x-mlflow-experiment-id': '1, 2' } })).toMatchObject({
      ok: false,
      code: 'GW_AMBIGUOUS_ID',
    });
  });

  it('checks both the path and the body model_id when finalizing a logged model', () => {
    expect(ids(extract('PATCH', '/api/2.0/mlflow/logged-models/m-1', { body: { model_id: 'm-2', status: 2 } }))).toEqual({
      'logged_model_id:update': ['m-2'],
    });
    const r = extract('PATCH', '/api/2.0/mlflow/logged-models/m-1', { body: { model_id: 'm-2' } });
    expect(r.ok && r.ids.map((i) => i.values[0])).toEqual(['m-1', 'm-2']);
  });
});

describe('extractIds: refusing ambiguity', () => {
  it('refuses two spellings of one id with different values (authorize-one-act-on-the-other bypass)', () => {
    expect(extract('POST', '/api/2.0/mlflow/experiments/delete', { body: { experiment_id: '1', experimentId: '2' } })).toMatchObject({
      ok: false,
      code: 'GW_AMBIGUOUS_ID',
    });
    expect(extract('POST', '/api/2.0/mlflow/runs/delete', { body: { run_id: 'mine', run_uuid: 'theirs' } })).toMatchObject({
      ok: false,
      code: 'GW_AMBIGUOUS_ID',
    });
    expect(extract('GET', '/get-artifact', { query: 'run_id=mine&run_uuid=theirs&path=x' })).toMatchObject({ ok: false, code: 'GW_AMBIGUOUS_ID' });
    expect(
      extract('POST', '/api/3.0/mlflow/traces/search', {
        body: { locations: [{ mlflow_experiment: { experiment_id: '1' }, mlflowExperiment: { experimentId: '2' } }] },
      }),
    ).toMatchObject({ ok: false, code: 'GW_AMBIGUOUS_ID' });
  });

  it('refuses a repeated query key for a scalar field (MLflow reads the first one)', () => {
    expect(extract('GET', '/api/2.0/mlflow/experiments/get', { query: 'experiment_id=1&experiment_id=2' })).toMatchObject({
      ok: false,
      code: 'GW_AMBIGUOUS_ID',
    });
  });
});

describe('extractIds: arrays, encodings and bad bodies', () => {
  it('reads repeated query keys and JSON arrays for array fields', () => {
    expect(ids(extract('GET', '/api/2.0/mlflow/metrics/get-history-bulk-interval', { query: 'run_ids=a&run_ids=b&metric_key=m' }))).toEqual({
      'run_id:read': ['a', 'b'],
    });
    expect(ids(extract('GET', '/api/3.0/mlflow/traces/batchGet', { query: 'trace_ids=t1&trace_ids=t2&trace_ids=t1' }))).toEqual({
      'trace_id:read': ['t1', 't2'],
    });
    expect(ids(extract('POST', '/api/3.0/mlflow/traces/metrics', { body: { experiment_ids: ['1', 2] } }))).toEqual({
      'experiment_id:read': ['1', '2'],
    });
    expect(
      ids(
        extract('POST', '/api/3.0/mlflow/traces/search', {
          body: { locations: [{ mlflow_experiment: { experiment_id: '1' } }, { mlflowExperiment: { experimentId: '9' } }, { inference_table: {} }] },
        }),
      ),
    ).toEqual({ 'experiment_id:read': ['1', '9'] });
  });

  it('collects per-id actions: the route\'s own ids, and the references column with its levels', () => {
    const refs = (method: string, path: string, body: unknown, headers: ExtractInput['headers'] = {}) => {
      const { route: spec, params } = route(method, path);
      const r = extractReferences(spec, { method, query: new URLSearchParams(), body, params, headers });
      if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
      return Object.fromEntries(r.references.map((x) => [`${x.kind}:${x.action}`, x.values]));
    };
    expect(ids(extract('POST', '/api/2.0/mlflow/traces/link-to-run', { body: { run_id: 'r', trace_ids: ['t1', 't2'] } }))).toEqual({ 'run_id:update': ['r'] });
    expect(refs('POST', '/api/2.0/mlflow/traces/link-to-run', { run_id: 'r', trace_ids: ['t1', 't2'] })).toEqual({ 'trace_id:read': ['t1', 't2'] });
    expect(ids(extract('POST', '/api/2.0/mlflow/runs/log-batch', { body: { run_id: 'r', metrics: [{ model_id: 'm1' }, { modelId: 'm2' }, {}] } }))).toEqual({ 'run_id:update': ['r'] });
    expect(refs('POST', '/api/2.0/mlflow/runs/log-batch', { run_id: 'r', metrics: [{ model_id: 'm1' }, { modelId: 'm2' }, {}] })).toEqual({ 'logged_model_id:update': ['m1', 'm2'] });
    expect(refs('POST', '/api/2.0/mlflow/model-versions/create', { name: 'n', source: 'models:/o/1', runId: 'r' })).toEqual({ 'uri:read': ['models:/o/1'], 'run_id:read': ['r'] });
    expect(refs('POST', '/v1/traces', undefined, { 'x-mlflow-run-id': 'r9' })).toEqual({ 'run_id:update': ['r9'] });
    expect(refs('POST', '/api/2.0/mlflow/runs/log-inputs', { run_id: 'r', datasets: [{ dataset: { source: { uri: 'runs:/x/y' } } }, { dataset: { source: '{"uri":"models:/m/1"}' } }] })).toEqual({
      'json:read': ['{"uri":"runs:/x/y"}', '{"uri":"models:/m/1"}'],
    });
    const { route: mv, params } = route('POST', '/api/2.0/mlflow/model-versions/create');
    expect(extractReferences(mv, { method: 'POST', query: new URLSearchParams(), body: { name: 'n', run_id: 'a', runId: 'b' }, params, headers: {} })).toMatchObject({ ok: false, code: 'GW_AMBIGUOUS_ID' });
  });

  it('marks a model-version source MLflow refuses itself for relative paths, unless the request takes the prompt path', () => {
    const { route: mv, params } = route('POST', '/api/2.0/mlflow/model-versions/create');
    const source = (body: unknown) => {
      const r = extractReferences(mv, { method: 'POST', query: new URLSearchParams(), body, params, headers: {} });
      if (!r.ok) throw new Error(r.message);
      return r.references.find((x) => x.kind === 'uri');
    };
    expect(source({ name: 'n', source: 'mlflow-artifacts:/1/r/artifacts/x/..' })?.mlflowRefusesRelativePaths).toBe(true);
    expect(source({ name: 'n', source: 's', tags: [{ key: 'k', value: 'v' }] })?.mlflowRefusesRelativePaths).toBe(true);
    // 3.0 skips source validation for prompt versions: the check stays
    expect(source({ name: 'n', source: 's', tags: [{ key: 'mlflow.prompt.is_prompt', value: 'false' }] })?.mlflowRefusesRelativePaths).toBeUndefined();
    expect(source({ name: 'n', source: 's', tags: 'not a list' })?.mlflowRefusesRelativePaths).toBeUndefined();
    const { route: link } = route('POST', '/api/2.0/mlflow/traces/link-to-run');
    const other = extractReferences(link, { method: 'POST', query: new URLSearchParams(), body: { run_id: 'r', trace_ids: ['t'] }, params: {}, headers: {} });
    expect(other.ok && other.references.some((x) => x.mlflowRefusesRelativePaths)).toBe(false);
  });

  it('decodes a double-encoded JSON body once more, as MLflow does', () => {
    expect(ids(extract('POST', '/api/2.0/mlflow/experiments/update', { body: JSON.stringify({ experiment_id: '8' }) }))).toEqual({
      'experiment_id:update': ['8'],
    });
    expect(extract('POST', '/api/2.0/mlflow/experiments/update', { body: 'not json' })).toMatchObject({ ok: false, code: 'GW_BAD_BODY' });
    expect(extract('POST', '/api/2.0/mlflow/experiments/update', { body: JSON.stringify(JSON.stringify({ experiment_id: '8' })) })).toMatchObject({
      ok: false,
      code: 'GW_BAD_BODY',
    });
  });

  it('converts numbers to strings and refuses objects, arrays and booleans where a scalar is expected', () => {
    expect(ids(extract('POST', '/api/2.0/mlflow/experiments/update', { body: { experiment_id: 8 } }))).toEqual({ 'experiment_id:update': ['8'] });
    for (const bad of [{ $ne: '1' }, ['1'], true]) {
      expect(extract('POST', '/api/2.0/mlflow/experiments/update', { body: { experiment_id: bad } })).toMatchObject({ ok: false, code: 'GW_BAD_BODY' });
    }
    expect(extract('POST', '/api/3.0/mlflow/traces/metrics', { body: { experiment_ids: '1' } })).toMatchObject({ ok: false, code: 'GW_BAD_BODY' });
    expect(extract('POST', '/api/2.0/mlflow/experiments/update', { body: [1] })).toMatchObject({ ok: false, code: 'GW_BAD_BODY' });
  });

  it('treats an empty string as absent and refuses a request naming no resource', () => {
    expect(extract('POST', '/api/2.0/mlflow/experiments/update', { body: { experiment_id: '' } })).toMatchObject({ ok: false, code: 'GW_MISSING_ID' });
    expect(extract('POST', '/api/2.0/mlflow/experiments/update', {})).toMatchObject({ ok: false, code: 'GW_MISSING_ID' });
    expect(extract('POST', '/api/2.0/mlflow/artifacts/presigned-upload-url', { body: { path: 'x' } })).toMatchObject({
      ok: false,
      code: 'GW_MISSING_ID',
    });
    expect(ids(extract('POST', '/api/2.0/mlflow/artifacts/presigned-upload-url', { body: { model_id: 'm' } }))).toEqual({
      'logged_model_id:update': ['m'],
    });
  });

  it('defaults an absent artifact listing path to the root (which names no experiment)', () => {
    expect(ids(extract('GET', '/api/2.0/mlflow-artifacts/artifacts'))).toEqual({ 'artifact_path:read': [''] });
    expect(ids(extract('GET', '/api/2.0/mlflow-artifacts/artifacts', { query: 'path=3/abc' }))).toEqual({ 'artifact_path:read': ['3/abc'] });
  });

  it('returns no ids for requirements without ids, and optional ids for filtered searches', () => {
    expect(extract('GET', '/health')).toEqual({ ok: true, ids: [] });
    expect(extract('GET', '/api/2.0/mlflow/experiments/search', { query: 'filter=x' })).toEqual({ ok: true, ids: [] });
    expect(ids(extract('POST', '/api/2.0/mlflow/runs/search', { body: { experiment_ids: ['1'] } }))).toEqual({ 'experiment_id:read': ['1'] });
    expect(extract('POST', '/api/2.0/mlflow/runs/search', { body: {} })).toEqual({ ok: true, ids: [] });
  });
});

describe('extractReferences: map keys and {key, value} lists', () => {
  it('serialized scorers (a string or a list of strings holding JSON) are passed on as JSON text', () => {
    const r = classify('POST', '/ajax-api/3.0/mlflow/genai/evaluate/invoke');
    if (!r.ok) throw new Error('unclassified');
    const scorer = JSON.stringify({ instructions_judge_pydantic_data: { model: 'gateway:/chat' } });
    const x = extractReferences(r.route, { method: 'POST', query: new URLSearchParams(), body: { experiment_id: '1', trace_ids: [], serialized_scorers: [scorer] }, params: r.params, headers: {} });
    expect(x).toMatchObject({ ok: true, references: [{ kind: 'json', action: 'read', values: [scorer] }] });
  });

  const refs = (method: string, path: string, body: unknown) => {
    const r = classify(method, path);
    if (!r.ok) throw new Error('unclassified');
    const x = extractReferences(r.route, { method, query: new URLSearchParams(), body, params: r.params, headers: {} });
    if (!x.ok) throw new Error(`${x.code}: ${x.message}`);
    return Object.fromEntries(x.references.map((v) => [`${v.kind}:${v.action}:${v.from}`, v.values]));
  };
  it('StartTraceV3 trace_metadata["mlflow.sourceRun"] and the v2 request_metadata entry link a run (update)', () => {
    expect(refs('POST', '/api/3.0/mlflow/traces', { trace: { trace_info: { trace_id: 'tr-1', trace_metadata: { 'mlflow.sourceRun': 'r1', other: 'x' } } } })).toEqual({
      'trace_id:update:body:trace.trace_info.trace_id': ['tr-1'],
      'run_id:update:body:trace.trace_info.trace_metadata.{mlflow.sourceRun}': ['r1'],
    });
    expect(refs('POST', '/api/2.0/mlflow/traces', { experiment_id: '1', request_metadata: [{ key: 'a', value: 'b' }, { key: 'mlflow.sourceRun', value: 'r2' }] })).toEqual({
      'run_id:update:body:request_metadata[key=mlflow.sourceRun].value': ['r2'],
    });
  });
});

describe('extractIds with deferToMlflow: what MLflow refuses itself is left to MLflow', () => {
  const defer = (method: string, path: string, body: unknown) => {
    const { route: spec, params } = route(method, path);
    return extractIds(spec, { method, query: new URLSearchParams(''), body, params, headers: {} }, { deferToMlflow: true });
  };

  it('a missing required id: MLflow answers (the references present are still checked by the authorize step)', () => {
    const r = defer('POST', '/api/2.0/mlflow/logged-models', { name: 'x', source_run_id: 'r1' });
    expect(r).toMatchObject({ ok: true, mlflowRefuses: expect.stringContaining('experiment_id'), ids: [] });
    const many = defer('POST', '/api/2.0/mlflow/model-versions/create', { source: 's' });
    expect(many).toMatchObject({ ok: true, mlflowRefuses: expect.stringContaining('name') });
  });

  it('a mistyped field of a protobuf-parsed body: MLflow answers, the run is still checked', () => {
    const { route: spec, params } = route('POST', '/api/2.0/mlflow/runs/log-batch');
    const input = { method: 'POST', query: new URLSearchParams(''), body: { run_id: 'r1', metrics: { key: 'a' } }, params, headers: {} };
    expect(ids(extractIds(spec, input, { deferToMlflow: true }))).toEqual({ 'run_id:update': ['r1'] });
    expect(extractReferences(spec, input, { deferToMlflow: true })).toMatchObject({ ok: true, references: [], mlflowRefuses: expect.stringContaining('metrics') });
    expect(extractReferences(spec, input)).toMatchObject({ ok: false, code: 'GW_BAD_BODY' });
  });

  it('a mistyped field of a hand-written handler is still refused by the gateway', () => {
    expect(defer('POST', '/ajax-api/3.0/mlflow/scorer/invoke', { experiment_id: { x: 1 } })).toMatchObject({ ok: false, code: 'GW_BAD_BODY' });
  });

  it('ambiguity is never deferred: MLflow would accept it', () => {
    expect(defer('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: 'a', runId: 'b', key: 'k' })).toMatchObject({ ok: false, code: 'GW_AMBIGUOUS_ID' });
  });

  it('without the option the gateway refuses as before', () => {
    expect(extract('POST', '/api/2.0/mlflow/runs/log-metric', { body: { key: 'k' } })).toMatchObject({ ok: false, code: 'GW_MISSING_ID' });
  });
});

describe('missingRequiredField (RouteSpec.requires)', () => {
  const { route: spec, params } = route('POST', '/ajax-api/2.0/mlflow/runs/create-promptlab-run');
  const missing = (body: unknown) => missingRequiredField(spec, { method: 'POST', query: new URLSearchParams(''), body, params, headers: {} });
  const full = { experiment_id: '1', prompt_template: 't', prompt_parameters: [{ key: 'x', value: 'y' }], model_route: 'r', model_input: 'i', mlflow_version: '3' };
  it('names the first required field the body lacks, in the handler\'s order, as Python\'s `not` reads it', () => {
    expect(missing({ experiment_id: '1' })).toBe('prompt_template');
    expect(missing({ ...full, prompt_parameters: [] })).toBe('prompt_parameters');
    expect(missing({ ...full, model_route: '' })).toBe('model_route');
    expect(missing({ ...full, mlflow_version: null })).toBe('mlflow_version');
    expect(missing(undefined)).toBe('experiment_id');
    expect(missing(full)).toBeUndefined();
  });
  it('routes that declare no required fields never report one', () => {
    const other = route('POST', '/api/2.0/mlflow/runs/create');
    expect(missingRequiredField(other.route, { method: 'POST', query: new URLSearchParams(''), body: {}, params: other.params, headers: {} })).toBeUndefined();
  });
});
