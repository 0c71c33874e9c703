import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/pipeline/json-depth.js';
import { callerFor, unique, type ApiCaller } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

// JSON nesting bombs: a 200,000-level nested array used to pass the gateway, and MLflow's
// recursive parsers answered 500. Every body MLflow parses as JSON — whether or not the gateway
// needed it to decide — is refused past MAX_JSON_DEPTH levels with 400 GW_BODY_TOO_DEEP, before
// anything reaches MLflow; the gateway's own scan is iterative (it answers, it does not crash).
const BOMB = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
const OBJECT_BOMB = `${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`;

describe('JSON nesting bomb', () => {
  let stack: Stack;
  let alice: ApiCaller;
  let admin: ApiCaller;
  let experimentId: string;

  beforeAll(async () => {
    stack = await startStack();
    [alice, admin] = await Promise.all([callerFor(stack, 'alice'), callerFor(stack, 'admin')]);
    const created = await alice.post('experiments/create', { name: unique('nesting') });
    expect(created.status, JSON.stringify(created.json)).toBe(200);
    experimentId = created.json.experiment_id as string;
  });
  afterAll(async () => stack?.stop());

  const expectTooDeep = (r: { status: number; json: Record<string, unknown> }, what: string) => {
    expect(r.status, `${what}: ${JSON.stringify(r.json).slice(0, 300)}`).toBe(400);
    expect(r.json.gateway_code, what).toBe('GW_BODY_TOO_DEEP');
    expect(r.json.message).toMatch(new RegExp(`deeper than ${MAX_JSON_DEPTH} levels`));
  };
  const json = { 'content-type': 'application/json' };

  it('nesting-bomb-rest: refused on routes whose body the gateway reads and on those it used to stream', async () => {
    for (const caller of [alice, admin]) {
      for (const bomb of [BOMB, OBJECT_BOMB]) {
        // create (body not needed to decide), log-batch (run id in the body), search (filtered), an unknown field on a known route
        expectTooDeep(await caller.raw('POST', '/api/2.0/mlflow/experiments/create', { body: bomb, headers: json }), 'experiments/create');
        expectTooDeep(await caller.raw('POST', '/api/2.0/mlflow/runs/log-batch', { body: bomb, headers: json }), 'runs/log-batch');
        expectTooDeep(await caller.raw('POST', '/ajax-api/2.0/mlflow/runs/search', { body: bomb, headers: json }), 'runs/search');
        expectTooDeep(await caller.raw('POST', '/api/2.0/mlflow/experiments/create', { body: bomb, headers: { 'content-type': 'text/plain' } }), 'any content type (MLflow parses with force=True)');
      }
    }
    const wrapped = `{"name":"x","tags":${BOMB}}`;
    expectTooDeep(await alice.raw('POST', '/api/2.0/mlflow/registered-models/create', { body: wrapped, headers: json }), 'registered-models/create');
    expectTooDeep(await alice.raw('POST', '/api/2.0/mlflow/experiments/update', { body: `{"experiment_id":"${experimentId}","x":${BOMB}}`, headers: json }), 'experiments/update');
  });

  it('nesting-bomb-graphql: a deep JSON body and a deep GraphQL document are both refused', async () => {
    expectTooDeep(await alice.raw('POST', '/graphql', { body: `{"query":"query { test }","variables":{"x":${BOMB}}}`, headers: json }), 'graphql variables');
    const deepDocument = `query { ${'a { '.repeat(5_000)}b${' }'.repeat(5_000)} }`;
    expectTooDeep(await alice.raw('POST', '/graphql', { body: JSON.stringify({ query: deepDocument }), headers: json }), 'graphql document');
    const deepList = `query { test(inputString: ${'['.repeat(5_000)}${']'.repeat(5_000)}) { output } }`;
    expectTooDeep(await alice.raw('POST', '/graphql', { body: JSON.stringify({ query: deepList }), headers: json }), 'graphql list literal');
  });

  it('nesting-bomb-otlp: an OTLP JSON export is refused, plain and gzip-compressed', async () => {
    const headers = { 'content-type': 'application/json', 'x-mlflow-experiment-id': experimentId };
    const body = `{"resourceSpans":${BOMB}}`;
    expectTooDeep(await alice.raw('POST', '/v1/traces', { body, headers }), 'OTLP JSON');
    expectTooDeep(await alice.raw('POST', '/v1/traces', { body: gzipSync(body), headers: { ...headers, 'content-encoding': 'gzip' } }), 'OTLP JSON gzip');
  });

  it('nesting-bomb-admin-api: the gateway API refuses it too', async () => {
    // The admin API's body limit is 64 KiB: a 20,000-level bomb fits.
    const small = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    expectTooDeep(await admin.raw('POST', '/_gateway/api/v1/explain', { body: `{"user":${small}}`, headers: json }), 'explain');
    expectTooDeep(await alice.raw('POST', '/_gateway/api/v1/tokens', { body: `{"name":${small}}`, headers: json }), 'tokens');
  });

  it('legitimate bodies still pass: brackets inside strings, moderate nesting, and file uploads of any content', async () => {
    const run = await alice.post('runs/create', { experiment_id: experimentId });
    expect(run.status, JSON.stringify(run.json)).toBe(200);
    const runId = run.json.run.info.run_id as string;
    const tagValue = `${'['.repeat(2000)}${'{'.repeat(2000)}`; // a string: not nesting
    const logged = await alice.post('runs/log-batch', { run_id: runId, tags: [{ key: 'brackets', value: tagValue }] });
    expect(logged.status, JSON.stringify(logged.json)).toBe(200);
    const got = await alice.get('runs/get', { run_id: runId });
    expect(got.json.run.data.tags).toEqual(expect.arrayContaining([{ key: 'brackets', value: tagValue }]));
    // An artifact is a file, not a message: a deeply nested JSON file uploads unchanged.
    const upload = await alice.raw('PUT', `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/deep.json`, { body: BOMB, headers: json });
    expect(upload.status, JSON.stringify(upload.json)).toBe(200);
    const download = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/deep.json`, { headers: { authorization: `Bearer ${alice.token}` } });
    expect(await download.text()).toBe(BOMB);
  });
});
