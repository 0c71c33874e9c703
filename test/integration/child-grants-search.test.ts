import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { callerFor, unique, userId, type ApiCaller, type ApiResult } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

// Issue #16, filtered reads beyond runs/search: traces/search (v3 POST, v2 GET) and
// logged-models/search honour grants on traces and logged models (children of experiments) and
// DENY on them, with full pages and the gateway's continuation tokens; when access comes only
// from grants, MLflow is asked for exactly the granted children ("ids" in the access log).
// Metric-history bulk routes decide every run they name as a child (a run grant opens it).
// alice owns experiment `exp` (12 traces, 12 logged models, 3 runs); bob gets child grants only and
// owns `own`; carol reads `exp` through group team-b until a DENY on one child says otherwise.

describe('child grants in traces/search, logged-models/search and metric-history bulk routes', () => {
  let stack: Stack;
  let alice: ApiCaller;
  let bob: ApiCaller;
  let carol: ApiCaller;
  let exp: string;
  let own: string;
  const traces: string[] = [];
  const models: string[] = [];
  const runs: string[] = [];
  const ownTraces: string[] = [];
  const ownModels: string[] = [];
  const mlflowUrl = inject('mlflowUrl');
  const grant = (g: Parameters<Stack['server']['gateway']['store']['grants']['set']>[0]) => stack.server.gateway.store.grants.set(g);

  async function mlflow<T = Record<string, any>>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${mlflowUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    return (await res.json()) as T;
  }

  async function fill(experimentId: string, n: number, traceIds: string[], modelIds: string[]): Promise<void> {
    for (let i = 0; i < n; i++) {
      // Hex ids in creation order, so `request_id ASC` is the creation order.
      const traceId = `tr-${String(i).padStart(4, '0')}${randomUUID().replace(/-/g, '').slice(4)}`;
      await mlflow('POST', '/api/3.0/mlflow/traces', {
        trace: { trace_info: { trace_id: traceId, trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } }, request_time: '2026-01-01T00:00:00Z', state: 'OK' } },
      });
      traceIds.push(traceId);
      const m = await mlflow<{ model: { info: { model_id: string } } }>('POST', '/api/2.0/mlflow/logged-models', { experiment_id: experimentId, name: `lm-${String(i).padStart(2, '0')}` });
      modelIds.push(m.model.info.model_id);
    }
  }

  beforeAll(async () => {
    stack = await startStack();
    [alice, bob, carol] = await Promise.all([callerFor(stack, 'alice'), callerFor(stack, 'bob'), callerFor(stack, 'carol')]);
    const created = await alice.post('experiments/create', { name: unique('child-search') });
    expect(created.status).toBe(200);
    exp = created.json.experiment_id;
    const mine = await bob.post('experiments/create', { name: unique('child-search-own') });
    expect(mine.status).toBe(200);
    own = mine.json.experiment_id;
    await fill(exp, 12, traces, models);
    await fill(own, 2, ownTraces, ownModels);
    for (let i = 0; i < 3; i++) {
      const r = await alice.post('runs/create', { experiment_id: exp, run_name: `bulk-${i}` });
      runs.push(r.json.run.info.run_id);
      expect((await alice.post('runs/log-metric', { run_id: r.json.run.info.run_id, key: 'loss', value: i, timestamp: 1, step: 0 })).status).toBe(200);
    }
    await carol.get('experiments/search', { max_results: '1' }); // carol's user row exists
  });
  afterAll(async () => stack?.stop());

  const loc = (id: string) => ({ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: id } });

  /** Every item of a search, following the gateway's page tokens; the page sizes too. */
  async function pageThrough(call: (token: string | undefined) => Promise<ApiResult>, field: string, key: (x: any) => string): Promise<{ ids: string[]; pages: number[] }> {
    const ids: string[] = [];
    const pages: number[] = [];
    let token: string | undefined;
    for (let i = 0; i < 30; i++) {
      const r = await call(token);
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      const page = (r.json[field] ?? []) as any[];
      pages.push(page.length);
      ids.push(...page.map(key));
      token = r.json.next_page_token;
      if (!token) break;
    }
    return { ids, pages };
  }

  const tracesV3 = (caller: ApiCaller, experiments: string[], max: number) => (token: string | undefined) =>
    caller.raw('POST', '/api/3.0/mlflow/traces/search', {
      body: JSON.stringify({ locations: experiments.map(loc), max_results: max, order_by: ['request_id ASC'], ...(token ? { page_token: token } : {}) }),
      headers: { 'content-type': 'application/json' },
    });
  const tracesV2 = (caller: ApiCaller, experiments: string[], max: number) => (token: string | undefined) =>
    caller.raw('GET', `/api/2.0/mlflow/traces?${new URLSearchParams([
      ...experiments.map((e): [string, string] => ['experiment_ids', e]), ['max_results', String(max)], ['order_by', 'request_id ASC'], ...(token ? [['page_token', token] as [string, string]] : []),
    ])}`);
  const loggedModels = (caller: ApiCaller, experiments: string[], max: number) => (token: string | undefined) =>
    caller.post('logged-models/search', { experiment_ids: experiments, max_results: max, order_by: [{ field_name: 'name', ascending: true }], ...(token ? { page_token: token } : {}) });
  const lastDecision = (path: string) => stack.logs.filter((l) => l.includes(path)).pop() ?? '';

  it('a trace grant does not leak sibling traces through traces/search (v3 and v2)', async () => {
    const bobId = await userId(stack, 'bob');
    await grant({ principalType: 'user', principal: bobId, resourceType: 'trace', resourceId: traces[3]!, level: 'READ' });
    await grant({ principalType: 'user', principal: bobId, resourceType: 'trace', resourceId: traces[7]!, level: 'READ' });
    const v3 = await pageThrough(tracesV3(bob, [exp], 1), 'traces', (t) => t.trace_id);
    expect(v3.ids).toEqual([traces[3], traces[7]]);
    expect(v3.pages.filter((n) => n > 0)).toEqual([1, 1]); // MLflow's trace search may end on an empty page
    expect(lastDecision('traces/search')).toMatch(/traces_v3 \(ids, /);
    const v2 = await pageThrough(tracesV2(bob, [exp], 1), 'traces', (t) => t.request_id);
    expect(v2.ids).toEqual([traces[3], traces[7]]);
    expect(lastDecision('/api/2.0/mlflow/traces')).toMatch(/traces_v2 \(ids, /);
    // With his own experiment beside it: all of his, plus exactly the granted ones (scan, full pages).
    const mixed = await pageThrough(tracesV3(bob, [exp, own], 2), 'traces', (t) => t.trace_id);
    expect(new Set(mixed.ids)).toEqual(new Set([traces[3], traces[7], ...ownTraces]));
    expect(mixed.ids).toHaveLength(4);
    expect(mixed.pages.filter((n) => n > 0)).toEqual([2, 2]);
    // The grant opens the trace itself, not its experiment.
    expect((await bob.raw('GET', `/api/3.0/mlflow/traces/${traces[3]!}`)).status).toBe(200);
    expect((await bob.raw('GET', `/api/3.0/mlflow/traces/${traces[4]!}`)).json.gateway_code).toBe('GW_DENIED');
  });

  it('a trace DENY inside a readable experiment hides that trace, pages stay full', async () => {
    const carolId = await userId(stack, 'carol');
    await grant({ principalType: 'group', principal: 'team-b', resourceType: 'experiment', resourceId: exp, level: 'READ' });
    await grant({ principalType: 'user', principal: carolId, resourceType: 'trace', resourceId: traces[0]!, level: 'DENY' });
    const v3 = await pageThrough(tracesV3(carol, [exp], 5), 'traces', (t) => t.trace_id);
    expect(v3.ids).toEqual(traces.slice(1));
    expect(v3.pages.filter((n) => n > 0)).toEqual([5, 5, 1]);
    const v2 = await pageThrough(tracesV2(carol, [exp], 5), 'traces', (t) => t.request_id);
    expect(v2.ids).toEqual(traces.slice(1));
    // A page token of one caller does not serve another one.
    const first = await tracesV3(carol, [exp], 5)(undefined);
    const replay = await tracesV3(bob, [exp], 5)(first.json.next_page_token);
    expect(replay.status).toBe(400);
    expect(replay.json.message).toMatch(/Invalid page token/);
    await stack.server.gateway.store.grants.delete('user', carolId, 'trace', traces[0]!);
  });

  it('a logged-model grant does not leak sibling models through logged-models/search; a logged-model DENY hides one', async () => {
    const bobId = await userId(stack, 'bob');
    const carolId = await userId(stack, 'carol');
    await grant({ principalType: 'user', principal: bobId, resourceType: 'logged_model', resourceId: models[2]!, level: 'READ' });
    await grant({ principalType: 'user', principal: bobId, resourceType: 'logged_model', resourceId: models[9]!, level: 'EDIT' });
    const granted = await pageThrough(loggedModels(bob, [exp], 1), 'models', (m) => m.info.model_id);
    expect(granted.ids).toEqual([models[2], models[9]]);
    expect(lastDecision('logged-models/search')).toMatch(/logged_models \(ids, 1 items/);
    const mixed = await pageThrough(loggedModels(bob, [exp, own], 3), 'models', (m) => m.info.model_id);
    expect(new Set(mixed.ids)).toEqual(new Set([models[2], models[9], ...ownModels]));
    expect(mixed.ids).toHaveLength(4);

    await grant({ principalType: 'group', principal: 'team-b', resourceType: 'experiment', resourceId: exp, level: 'READ' });
    await grant({ principalType: 'user', principal: carolId, resourceType: 'logged_model', resourceId: models[5]!, level: 'DENY' });
    const denied = await pageThrough(loggedModels(carol, [exp], 4), 'models', (m) => m.info.model_id);
    expect(denied.ids).toEqual(models.filter((_, i) => i !== 5));
    expect(denied.pages.filter((n) => n > 0)).toEqual([4, 4, 3]);
    expect((await carol.get(`logged-models/${models[5]!}`)).json.gateway_code).toBe('GW_DENIED');
    await stack.server.gateway.store.grants.delete('user', carolId, 'logged_model', models[5]!);
  });

  it('a run grant opens that run in the metric-history bulk routes, and no sibling run', async () => {
    const bobId = await userId(stack, 'bob');
    await grant({ principalType: 'user', principal: bobId, resourceType: 'run', resourceId: runs[1]!, level: 'READ' });
    const one = await bob.get('metrics/get-history-bulk-interval', { run_ids: runs[1]!, metric_key: 'loss' });
    expect(one.status, JSON.stringify(one.json)).toBe(200);
    expect((one.json.metrics as any[]).map((m) => m.run_id)).toEqual([runs[1]]);
    const q = new URLSearchParams([['run_ids', runs[1]!], ['run_ids', runs[2]!], ['metric_key', 'loss']]);
    expect((await bob.raw('GET', `/api/2.0/mlflow/metrics/get-history-bulk-interval?${q}`)).json.gateway_code).toBe('GW_DENIED');
    const ajax = await bob.raw('GET', `/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=${runs[1]!}&metric_key=loss`);
    expect(ajax.status, JSON.stringify(ajax.json)).toBe(200);
    expect((await bob.raw('GET', `/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=${runs[1]!}&run_id=${runs[0]!}&metric_key=loss`)).json.gateway_code).toBe('GW_DENIED');
  });

  it('a run grant does not leak sibling runs through GraphQL run lists; a run DENY hides one there too', async () => {
    // After the previous test: bob holds a grant on runs[1] only; carol reads `exp` through team-b.
    const query = `query { mlflowSearchRuns(input: { experimentIds: ["${exp}"], maxResults: 50 }) { runs { info { runId } } } }`;
    const ids = (r: ApiResult) => ((r.json.data?.mlflowSearchRuns?.runs ?? []) as { info: { runId: string } }[]).map((x) => x.info.runId).sort();
    const gql = (caller: ApiCaller) => caller.raw('POST', '/graphql', { body: JSON.stringify({ query }), headers: { 'content-type': 'application/json' } });
    const bobs = await gql(bob);
    expect(bobs.status, JSON.stringify(bobs.json)).toBe(200);
    expect(ids(bobs)).toEqual([runs[1]]);
    expect(JSON.stringify(bobs.json)).not.toMatch(/gw[0-9a-f]{24}/); // the marker aliases are removed
    const carolId = await userId(stack, 'carol');
    await grant({ principalType: 'user', principal: carolId, resourceType: 'run', resourceId: runs[0]!, level: 'DENY' });
    const carols = await gql(carol);
    expect(ids(carols)).toEqual([runs[1], runs[2]].sort());
    // The nested run of mlflowGetRun is the run that was checked: a denied one is refused.
    const one = await carol.raw('POST', '/graphql', { body: JSON.stringify({ query: `query { mlflowGetRun(input: { runId: "${runs[0]!}" }) { run { info { runId } } } }` }), headers: { 'content-type': 'application/json' } });
    expect(one.json.gateway_code).toBe('GW_DENIED');
    await stack.server.gateway.store.grants.delete('user', carolId, 'run', runs[0]!);
  });
});
