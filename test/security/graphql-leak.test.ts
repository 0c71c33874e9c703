import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';
import { callerFor, grant, mlflow, type Answer, type Caller } from '../support/filtered-fixtures.js';

// One test per way to read through /graphql what the REST API would refuse (MLflow's own
// GraphQL authorization leaked through nested resolvers: GHSA-f253-vggg-rwh8, mlflow#25676).
// bob may read experiment A (run rA) and registered model `mr`; not experiment B (run rB) nor
// model `mh`. Both models have a version made from the readable run rA.

const run = randomUUID().slice(0, 8);
const prefix = `gql-${run}-`;

let stack: Stack;
let admin: Caller;
let bob: Caller;
let expA: string;
let expB: string;
let rA: string;
let rB: string;
const mr = `${prefix}readable-model`;
const mh = `${prefix}hidden-model`;

beforeAll(async () => {
  stack = await startStack();
  [admin, bob] = await Promise.all([callerFor(stack, 'admin'), callerFor(stack, 'bob')]);
  const mkExp = async (name: string) => (await mlflow<{ experiment_id: string }>('POST', '/api/2.0/mlflow/experiments/create', { name })).experiment_id;
  const mkRun = async (exp: string) => (await mlflow<{ run: { info: { run_id: string } } }>('POST', '/api/2.0/mlflow/runs/create', { experiment_id: exp })).run.info.run_id;
  [expA, expB] = await Promise.all([mkExp(`${prefix}A`), mkExp(`${prefix}B`)]);
  [rA, rB] = await Promise.all([mkRun(expA), mkRun(expB)]);
  for (const r of [rA, rB]) await mlflow('POST', '/api/2.0/mlflow/runs/log-metric', { run_id: r, key: 'loss', value: 0.5, timestamp: 1, step: 0 });
  for (const name of [mr, mh]) {
    await mlflow('POST', '/api/2.0/mlflow/registered-models/create', { name });
    await mlflow('POST', '/api/2.0/mlflow/model-versions/create', { name, source: `runs:/${rA}/model`, run_id: rA });
  }
  await grant(stack, bob.userId, 'experiment', [expA]);
  await grant(stack, bob.userId, 'registered_model', [mr]);
});
afterAll(async () => stack?.stop());

const gql = (who: Caller, query: string, variables?: Record<string, unknown>, operationName?: string, path = '/graphql') =>
  who.call('POST', path, { query, ...(variables ? { variables } : {}), ...(operationName ? { operationName } : {}) });

function denied(r: Answer): void {
  expect(r.status, JSON.stringify(r.json)).toBe(403);
  expect(r.json.gateway_code).toBe('GW_DENIED');
  expect(JSON.stringify(r.json)).not.toContain(prefix); // not even a name in the refusal
}
function refused(r: Answer, code = 'GW_BAD_REQUEST'): void {
  expect(r.status, JSON.stringify(r.json)).toBe(400);
  expect(r.json.gateway_code).toBe(code);
}
/** Every key anywhere in a JSON value. */
function keysOf(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => keysOf(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) keysOf(x, out.add(k));
  return out;
}

const RUN_FIELDS = 'run { info { runId experimentId } experiment { experimentId name } modelVersions { name version } }';

describe('GraphQL: objects named in arguments', () => {
  it('mlflowGetExperiment: readable → data; unreadable → refused; unknown → MLflow\'s own answer (nothing to disclose)', async () => {
    const q = (id: string) => `{ mlflowGetExperiment(input: {experimentId: "${id}"}) { experiment { experimentId name } } }`;
    const ok = await gql(bob, q(expA));
    expect(ok.status).toBe(200);
    expect(ok.json.data.mlflowGetExperiment.experiment).toEqual({ experimentId: expA, name: `${prefix}A` });
    denied(await gql(bob, q(expB)));
    const unknown = await gql(bob, q('987654321'));
    expect(unknown.status).toBe(200);
    expect(unknown.json).toEqual({ data: { mlflowGetExperiment: null }, errors: ['No Experiment with id=987654321 exists'] });
  });

  it('an unknown run next to an unreadable one is still refused', async () => {
    denied(await gql(bob, `{ mlflowGetMetricHistoryBulkInterval(input: {runIds: ["0123456789abcdef0123456789abcdef", "${rB}"], metricKey: "loss"}) { metrics { runId value } } }`));
  });

  it('mlflowGetRun and mlflowListArtifacts check the run (runId and the legacy runUuid)', async () => {
    expect((await gql(bob, `{ mlflowGetRun(input: {runId: "${rA}"}) { ${RUN_FIELDS} } }`)).json.data.mlflowGetRun.run.info.runId).toBe(rA);
    denied(await gql(bob, `{ mlflowGetRun(input: {runId: "${rB}"}) { ${RUN_FIELDS} } }`));
    denied(await gql(bob, `{ mlflowGetRun(input: {runUuid: "${rB}"}) { ${RUN_FIELDS} } }`));
    denied(await gql(bob, `{ mlflowGetRun(input: {runId: "${rA}", runUuid: "${rB}"}) { ${RUN_FIELDS} } }`));
    denied(await gql(bob, `{ mlflowListArtifacts(input: {runId: "${rB}"}) { rootUri files { path } } }`));
  });

  it('mlflowGetMetricHistoryBulkInterval needs every run readable', async () => {
    const q = (ids: string[]) => `{ mlflowGetMetricHistoryBulkInterval(input: {runIds: ${JSON.stringify(ids)}, metricKey: "loss"}) { metrics { runId value } } }`;
    expect((await gql(bob, q([rA]))).json.data.mlflowGetMetricHistoryBulkInterval.metrics).toEqual([{ runId: rA, value: 0.5 }]);
    denied(await gql(bob, q([rA, rB])));
  });

  it('aliases: one unreadable root field refuses the whole query', async () => {
    denied(await gql(bob, `{ a: mlflowGetRun(input: {runId: "${rA}"}) { ${RUN_FIELDS} } b: mlflowGetRun(input: {runId: "${rB}"}) { ${RUN_FIELDS} } }`));
  });

  it('variables: the value checked is the value MLflow runs with', async () => {
    const q = 'query Q($input: MlflowGetRunInput) { mlflowGetRun(input: $input) { run { info { runId } } } }';
    denied(await gql(bob, q, { input: { runId: rB } }));
    const nested = 'query Q($id: String) { mlflowGetRun(input: {runId: $id}) { run { info { runId } } } }';
    denied(await gql(bob, nested, { id: rB }));
    expect((await gql(bob, nested, { id: rA })).json.data.mlflowGetRun.run.info.runId).toBe(rA);
  });

  it('fragments and inline fragments at the root are checked', async () => {
    denied(await gql(bob, `query { ...F } fragment F on Query { mlflowGetRun(input: {runId: "${rB}"}) { run { info { runId } } } }`));
    denied(await gql(bob, `query { ... on Query { mlflowGetRun(input: {runId: "${rB}"}) { run { info { runId } } } } }`));
  });

  it('@skip/@include do not hide a field from the check', async () => {
    denied(await gql(bob, `query { mlflowGetRun(input: {runId: "${rB}"}) @skip(if: true) { run { info { runId } } } }`));
  });

  it('several operations: only the selected one runs, and it is the one checked', async () => {
    const doc = `query Ok { mlflowGetRun(input: {runId: "${rA}"}) { run { info { runId } } } }
                 query Bad { mlflowGetRun(input: {runId: "${rB}"}) { run { info { runId } } } }`;
    denied(await gql(bob, doc, undefined, 'Bad'));
    const ok = await gql(bob, doc, undefined, 'Ok');
    expect(ok.json.data).toEqual({ mlflowGetRun: { run: { info: { runId: rA } } } });
    refused(await gql(bob, doc)); // ambiguous without operationName
  });
});

describe('GraphQL: searches and nested model versions', () => {
  it('mlflowSearchRuns (query and mutation) searches only readable experiments', async () => {
    for (const op of ['query', 'mutation']) {
      const r = await gql(bob, `${op} { mlflowSearchRuns(input: {experimentIds: ["${expB}", "${expA}"]}) { runs { info { runId experimentId } } } }`);
      expect(r.status).toBe(200);
      expect(r.json.data.mlflowSearchRuns.runs).toEqual([{ info: { runId: rA, experimentId: expA } }]);
      const none = await gql(bob, `${op} { mlflowSearchRuns(input: {experimentIds: ["${expB}"]}) { runs { info { runId } } } }`);
      expect(none.json.data.mlflowSearchRuns.runs ?? []).toEqual([]);
    }
    const viaVariables = await gql(bob, 'query S($data: MlflowSearchRunsInput!) { mlflowSearchRuns(input: $data) { runs { info { runId } } } }', {
      data: { experimentIds: [expB, expA] },
    });
    expect(viaVariables.json.data.mlflowSearchRuns.runs).toEqual([{ info: { runId: rA } }]);
  });

  it('run.modelVersions shows versions of readable models only, and no marker leaks', async () => {
    const r = await gql(bob, `{ mlflowGetRun(input: {runId: "${rA}"}) { run { modelVersions { name version } mv2: modelVersions { version } } } }`);
    expect(r.status).toBe(200);
    const run = r.json.data.mlflowGetRun.run;
    expect(run.modelVersions).toEqual([{ name: mr, version: '1' }]);
    expect(run.mv2).toEqual([{ version: '1' }]);
    expect([...keysOf(r.json)].sort()).toEqual(['data', 'errors', 'modelVersions', 'mlflowGetRun', 'mv2', 'name', 'run', 'version'].sort());
    const search = await gql(bob, `mutation { mlflowSearchRuns(input: {experimentIds: ["${expA}"]}) { runs { modelVersions { name } } } }`);
    expect(search.json.data.mlflowSearchRuns.runs[0].modelVersions).toEqual([{ name: mr }]);
  });

  it('mlflowSearchModelVersions returns versions of readable models only', async () => {
    const r = await gql(bob, `{ mlflowSearchModelVersions(input: {filter: "name LIKE '${prefix}%'"}) { modelVersions { name version runId } } }`);
    expect(r.status).toBe(200);
    expect(r.json.data.mlflowSearchModelVersions.modelVersions).toEqual([{ name: mr, version: '1', runId: rA }]);
  });

  it('mlflowSearchDatasets searches only readable experiments', async () => {
    const r = await gql(bob, `mutation { mlflowSearchDatasets(input: {experimentIds: ["${expB}"]}) { datasetSummaries { experimentId name } } }`);
    expect(r.status).toBe(200);
    // Narrowed to no experiment at all, MLflow answers its own "specify at least one experiment_id".
    expect(r.json.data.mlflowSearchDatasets?.datasetSummaries ?? []).toEqual([]);
    expect(JSON.stringify(r.json)).not.toContain(expB);
  });

  it('an administrator is forwarded unchanged: every run and version', async () => {
    const r = await gql(admin, `{ mlflowGetRun(input: {runId: "${rA}"}) { run { modelVersions { name } } } b: mlflowGetRun(input: {runId: "${rB}"}) { run { info { runId } } } }`);
    expect(r.json.data.mlflowGetRun.run.modelVersions.map((v: any) => v.name).sort()).toEqual([mh, mr].sort());
    expect(r.json.data.b.run.info.runId).toBe(rB);
  });
});

describe('GraphQL: fail closed', () => {
  it('unknown fields and arguments are refused before reaching MLflow', async () => {
    refused(await gql(bob, '{ mlflowDeleteExperiment(input: {experimentId: "1"}) { ok } }'));
    refused(await gql(bob, `{ mlflowGetRun(input: {runId: "${rA}", experimentId: "${expB}"}) { run { info { runId } } } }`));
    denied(await gql(bob, 'subscription { test { output } }')); // the schema has no subscriptions
    refused(await gql(bob, '{ mlflowGetRun(input: {runId: '));
  });

  it('batched (array) bodies, non-JSON and GET requests are refused', async () => {
    refused(await bob.call('POST', '/graphql', [{ query: '{ test { output } }' }]), 'GW_BAD_BODY');
    refused(await bob.call('POST', '/graphql', '{"query": '), 'GW_BAD_BODY');
    refused(await bob.call('POST', '/graphql', { query: 42 }), 'GW_BAD_BODY');
    refused(await bob.call('GET', `/graphql?query=${encodeURIComponent(`{ mlflowGetRun(input: {runId: "${rB}"}) { run { info { runId } } } }`)}`));
  });

  it('schema introspection and __typename stay available (the schema is public)', async () => {
    const r = await gql(bob, '{ __typename __schema { queryType { name } } }');
    expect(r.status).toBe(200);
    expect(r.json.data).toEqual({ __typename: 'Query', __schema: { queryType: { name: 'Query' } } });
  });
});
