import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';
import { callerFor, grant, mlflow, pageThrough, pool, prng, type Answer, type Caller } from '../support/filtered-fixtures.js';

// Filtered searches and lists through the real gateway, in front of the suite's real MLflow, as
// real users with bearer JWTs. MLflow is shared with other test files: every object created here
// carries this run's unique prefix, and every search filters on it.

const run = randomUUID().slice(0, 8);
const prefix = `fr-${run}-`;
const seed = Number.parseInt(run, 16) >>> 0;

let stack: Stack;
let admin: Caller;
let bob: Caller;
let carol: Caller;

beforeAll(async () => {
  stack = await startStack();
  [admin, bob, carol] = await Promise.all([callerFor(stack, 'admin'), callerFor(stack, 'bob'), callerFor(stack, 'carol')]);
});
afterAll(async () => stack?.stop());

/** All pages but the last are full; no duplicates; exactly `expected`, in order. */
function expectPages(pages: any[][], keyOf: (item: any) => string, expected: readonly string[], maxResults: number): void {
  for (let i = 0; i < pages.length - 1; i++) expect(pages[i]!.length, `page ${i + 1} of ${pages.length} is full`).toBe(maxResults);
  const keys = pages.flat().map(keyOf);
  expect(new Set(keys).size, 'no duplicates').toBe(keys.length);
  expect(keys, 'the readable subset in MLflow order, nothing missing').toEqual(expected);
}

describe('search_experiments', () => {
  const N = 200;
  let names: string[];
  const idByName = new Map<string, string>();
  /** bob: user grants on a scattered subset (grants only → MLflow is asked for exactly those ids). */
  const bobNames = new Set<string>();
  /** carol: a pattern rule (names ending in 3) minus one explicit deny → the gateway scans. */
  const carolNames = new Set<string>();
  const filter = `name LIKE '${prefix}e%'`;

  beforeAll(async () => {
    names = Array.from({ length: N }, (_, i) => `${prefix}e${String(i).padStart(3, '0')}`);
    const ids = await pool(names, 8, async (name) => (await mlflow<{ experiment_id: string }>('POST', '/api/2.0/mlflow/experiments/create', { name })).experiment_id);
    names.forEach((n, i) => idByName.set(n, ids[i]!));
    const rnd = prng(seed);
    names.forEach((n, i) => {
      if (i % 9 === 4 || rnd() < 0.06 || (i >= 120 && i <= 127)) bobNames.add(n);
    });
    await grant(stack, bob.userId, 'experiment', [...bobNames].map((n) => idByName.get(n)!));
    names.filter((n) => n.endsWith('3')).forEach((n) => carolNames.add(n));
    const store = stack.server.gateway.store;
    await store.grants.addPattern({ principalType: 'user', principal: carol.userId, resourceType: 'experiment', matcher: 'glob', pattern: `${prefix}e*3`, level: 'READ' });
    const denied = `${prefix}e103`;
    carolNames.delete(denied);
    await grant(stack, carol.userId, 'experiment', [idByName.get(denied)!], 'NO_PERMISSIONS');
    console.info(`filtered-routes: seed ${seed}; bob reads ${bobNames.size}/${N}, carol ${carolNames.size}/${N}`);
  });

  const post = (who: Caller, maxResults: number, token?: string, extra: Record<string, unknown> = {}) =>
    who.call('POST', '/api/2.0/mlflow/experiments/search', { filter, order_by: ['name ASC'], max_results: maxResults, ...(token ? { page_token: token } : {}), ...extra });

  it.each([1, 7, 25, 100])('bob (grants only), max_results %i: full pages, no duplicates, nothing missing', async (maxResults) => {
    const { pages } = await pageThrough((t) => post(bob, maxResults, t), 'experiments');
    expectPages(pages, (e) => e.name, names.filter((n) => bobNames.has(n)), maxResults);
  });

  it.each([4, 30])('carol (pattern rule + deny: scanned), max_results %i: full pages, no duplicates, nothing missing', async (maxResults) => {
    const { pages } = await pageThrough((t) => post(carol, maxResults, t), 'experiments');
    expectPages(pages, (e) => e.name, names.filter((n) => carolNames.has(n)), maxResults);
  });

  it('GET query form and the /ajax-api twin page the same way', async () => {
    const expected = names.filter((n) => bobNames.has(n));
    for (const base of ['/api', '/ajax-api']) {
      const { pages } = await pageThrough((t) => {
        const q = new URLSearchParams({ filter, order_by: 'name ASC', max_results: '9', ...(t ? { page_token: t } : {}) });
        return bob.call('GET', `${base}/2.0/mlflow/experiments/search?${q}`);
      }, 'experiments');
      expectPages(pages, (e) => e.name, expected, 9);
    }
  });

  it('descending order and a narrower client filter are MLflow semantics', async () => {
    const narrower = `${filter} AND name LIKE '${prefix}e1%'`;
    const { pages } = await pageThrough((t) => post(bob, 6, t, { filter: narrower, order_by: ['name DESC'] }), 'experiments');
    expectPages(pages, (e) => e.name, names.filter((n) => bobNames.has(n) && n.startsWith(`${prefix}e1`)).reverse(), 6);
  });

  it('page tokens are stable, and only valid for the caller and search they were issued for', async () => {
    const { pages, tokens } = await pageThrough((t) => post(bob, 5, t), 'experiments');
    const t3 = tokens[2]!;
    const again = [(await post(bob, 5, t3)).json, (await post(bob, 5, t3)).json];
    expect(again[0]).toEqual(again[1]);
    expect(again[0]!.experiments.map((e: any) => e.name)).toEqual(pages[2]!.map((e) => e.name));
    expect(t3).toContain('.'); // the gateway's signed token, not MLflow's
    const refused = (r: Answer) => {
      expect(r.status).toBe(400);
      expect(r.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    };
    refused(await post(carol, 5, t3)); // another caller
    refused(await post(bob, 5, t3, { filter: `name LIKE '${prefix}%'` })); // another filter
    refused(await post(bob, 5, `${t3.slice(0, -2)}AA`)); // tampered
    refused(await post(bob, 5, 'eyJvZmZzZXQiOiAyMH0=')); // MLflow's own offset token
  });

  it('invalid max_results is refused like MLflow does', async () => {
    for (const bad of [0, -1, 50_001, 'x']) {
      const r = await bob.call('POST', '/api/2.0/mlflow/experiments/search', { filter, max_results: bad });
      expect(r.status, String(bad)).toBe(400);
      expect(r.json.error_code).toBe('INVALID_PARAMETER_VALUE');
    }
  });

  it('nothing readable under the filter → an empty answer', async () => {
    // The grants are random (seeded): pick a name bob does not read.
    const hidden = names.find((n) => !bobNames.has(n))!;
    const r = await post(bob, 10, undefined, { filter: `name = '${hidden}'` });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({});
  });

  it('an administrator gets MLflow unfiltered (its own pages and tokens)', async () => {
    const first = await post(admin, 150);
    expect(first.json.experiments.map((e: any) => e.name)).toEqual(names.slice(0, 150));
    expect(first.json.next_page_token).not.toContain('.');
    const { pages } = await pageThrough((t) => post(admin, 64, t), 'experiments');
    expectPages(pages, (e) => e.name, names, 64);
  });
});

describe('search_registered_models and search_model_versions', () => {
  const M = 30;
  let models: string[];
  const bobModels = new Set<string>();
  /** [model, version] in MLflow's order for the version search below. */
  let allVersions: string[];

  beforeAll(async () => {
    models = Array.from({ length: M }, (_, i) => `${prefix}m${String(i).padStart(2, '0')}`);
    await pool(models, 8, (name) => mlflow('POST', '/api/2.0/mlflow/registered-models/create', { name }));
    const exp = await mlflow<{ experiment_id: string }>('POST', '/api/2.0/mlflow/experiments/create', { name: `${prefix}versions` });
    const runId = (await mlflow<{ run: { info: { run_id: string } } }>('POST', '/api/2.0/mlflow/runs/create', { experiment_id: exp.experiment_id })).run.info.run_id;
    // Versions for every other model, 2–3 each, created sequentially per model (version numbers).
    await pool(models.filter((_, i) => i % 2 === 0), 6, async (name, i) => {
      for (let v = 0; v < 2 + (i % 2); v++) await mlflow('POST', '/api/2.0/mlflow/model-versions/create', { name, source: `runs:/${runId}/model`, run_id: runId });
    });
    models.forEach((m, i) => {
      if (i % 3 === 1 || i % 7 === 0) bobModels.add(m);
    });
    await grant(stack, bob.userId, 'registered_model', [...bobModels]);
    const direct = await mlflow<{ model_versions: { name: string; version: string }[] }>(
      'GET',
      `/api/2.0/mlflow/model-versions/search?${new URLSearchParams({ filter: `name LIKE '${prefix}m%'`, max_results: '1000' })}&order_by=name+ASC&order_by=version_number+DESC`,
    );
    allVersions = direct.model_versions.map((v) => `${v.name}#${v.version}`);
  });

  const searchModels = (who: Caller, maxResults: number, t?: string) =>
    who.call('GET', `/api/2.0/mlflow/registered-models/search?${new URLSearchParams({ filter: `name LIKE '${prefix}m%'`, order_by: 'name DESC', max_results: String(maxResults), ...(t ? { page_token: t } : {}) })}`);
  const searchVersions = (who: Caller, maxResults: number, t?: string) =>
    who.call(
      'GET',
      `/ajax-api/2.0/mlflow/model-versions/search?${new URLSearchParams({ filter: `name LIKE '${prefix}m%'`, max_results: String(maxResults), ...(t ? { page_token: t } : {}) })}&order_by=name+ASC&order_by=version_number+DESC`,
    );

  it.each([1, 4, 10])('registered models, max_results %i: bob gets full pages of his models only', async (maxResults) => {
    const { pages } = await pageThrough((t) => searchModels(bob, maxResults, t), 'registered_models');
    expectPages(pages, (m) => m.name, models.filter((m) => bobModels.has(m)).reverse(), maxResults);
  });

  it.each([1, 3, 5])('model versions, max_results %i: full pages of versions of readable models only', async (maxResults) => {
    const { pages } = await pageThrough((t) => searchVersions(bob, maxResults, t), 'model_versions');
    const expected = allVersions.filter((k) => bobModels.has(k.split('#')[0]!));
    expect(expected.length).toBeGreaterThan(3);
    expectPages(pages, (v) => `${v.name}#${v.version}`, expected, maxResults);
  });

  it('model versions without max_results: MLflow default page, still filtered', async () => {
    const r = await bob.call('GET', `/api/2.0/mlflow/model-versions/search?${new URLSearchParams({ filter: `name LIKE '${prefix}m%'` })}`);
    expect(r.status).toBe(200);
    const names = new Set((r.json.model_versions as any[]).map((v) => v.name));
    expect([...names].every((n) => bobModels.has(n))).toBe(true);
    expect(r.json.next_page_token).toBeUndefined();
  });

  it('carol (no grants at all) sees nothing; an administrator sees everything', async () => {
    expect((await searchModels(carol, 10)).json).toEqual({});
    expect((await searchVersions(carol, 10)).json).toEqual({});
    const { pages } = await pageThrough((t) => searchModels(admin, 7, t), 'registered_models');
    expectPages(pages, (m) => m.name, [...models].reverse(), 7);
  });
});

describe('experiment-scoped searches narrow experiment_ids', () => {
  let readable: string;
  let hidden: string;
  const runsIn = new Map<string, string[]>();
  const tracesIn = new Map<string, string[]>();
  const modelsIn = new Map<string, string[]>();

  beforeAll(async () => {
    const mk = async (name: string) => (await mlflow<{ experiment_id: string }>('POST', '/api/2.0/mlflow/experiments/create', { name })).experiment_id;
    [readable, hidden] = await Promise.all([mk(`${prefix}scoped-readable`), mk(`${prefix}scoped-hidden`)]);
    await grant(stack, bob.userId, 'experiment', [readable]);
    for (const [exp, n] of [
      [readable, 3],
      [hidden, 2],
    ] as const) {
      const runs: string[] = [];
      const traces: string[] = [];
      const logged: string[] = [];
      for (let i = 0; i < n; i++) {
        runs.push((await mlflow<{ run: { info: { run_id: string } } }>('POST', '/api/2.0/mlflow/runs/create', { experiment_id: exp })).run.info.run_id);
        const traceId = `tr-${randomUUID().replace(/-/g, '')}`;
        await mlflow('POST', '/api/3.0/mlflow/traces', {
          trace: { trace_info: { trace_id: traceId, trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: exp } }, request_time: '2026-01-01T00:00:00Z', state: 'OK' } },
        });
        traces.push(traceId);
        logged.push((await mlflow<{ model: { info: { model_id: string } } }>('POST', '/api/2.0/mlflow/logged-models', { experiment_id: exp, name: `lm${i}` })).model.info.model_id);
      }
      runsIn.set(exp, runs);
      tracesIn.set(exp, traces);
      modelsIn.set(exp, logged);
    }
  });

  it('search_runs: only the runs of readable experiments; none readable → {}', async () => {
    const both = await bob.call('POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [hidden, readable], max_results: 100 });
    expect(both.status).toBe(200);
    expect((both.json.runs as any[]).map((r) => r.info.run_id).sort()).toEqual([...runsIn.get(readable)!].sort());
    const camel = await bob.call('POST', '/ajax-api/2.0/mlflow/runs/search', { experimentIds: [hidden, readable] });
    expect((camel.json.runs as any[]).every((r) => r.info.experiment_id === readable)).toBe(true);
    const none = await bob.call('POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [hidden] });
    expect(none).toEqual({ status: 200, json: {} });
    const adminBoth = await admin.call('POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [hidden, readable] });
    expect(adminBoth.json.runs).toHaveLength(5);
  });

  it('search_runs: two spellings with different lists are refused', async () => {
    const r = await bob.call('POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [readable], experimentIds: [hidden] });
    expect(r.status).toBe(400);
    expect(r.json.gateway_code).toBe('GW_AMBIGUOUS_ID');
  });

  it('search_traces v3 (locations) and v2 (GET experiment_ids)', async () => {
    const loc = (id: string) => ({ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: id } });
    const v3 = await bob.call('POST', '/api/3.0/mlflow/traces/search', { locations: [loc(hidden), loc(readable)], max_results: 100 });
    expect(v3.status).toBe(200);
    expect((v3.json.traces as any[]).map((t) => t.trace_id).sort()).toEqual([...tracesIn.get(readable)!].sort());
    expect((await bob.call('POST', '/api/3.0/mlflow/traces/search', { locations: [loc(hidden)] })).json).toEqual({});
    const v2 = await bob.call('GET', `/api/2.0/mlflow/traces?experiment_ids=${hidden}&experiment_ids=${readable}&max_results=100`);
    expect(v2.status).toBe(200);
    expect((v2.json.traces as any[]).map((t) => t.request_id).sort()).toEqual([...tracesIn.get(readable)!].sort());
    expect((await bob.call('GET', `/api/2.0/mlflow/traces?experiment_ids=${hidden}`)).json).toEqual({});
  });

  it('search_logged_models: only models of readable experiments', async () => {
    const r = await bob.call('POST', '/api/2.0/mlflow/logged-models/search', { experiment_ids: [readable, hidden], max_results: 2 });
    expect(r.status).toBe(200);
    const first = (r.json.models as any[]).map((m) => m.info.model_id);
    const second = await bob.call('POST', '/api/2.0/mlflow/logged-models/search', { experiment_ids: [readable, hidden], max_results: 2, page_token: r.json.next_page_token });
    const all = [...first, ...(second.json.models as any[]).map((m) => m.info.model_id)];
    expect(all.sort()).toEqual([...modelsIn.get(readable)!].sort());
  });

  it('list_scorers: across experiments, by experiment_ids, and a single unreadable experiment', async () => {
    const register = (exp: string, name: string) => mlflow('POST', '/api/3.0/mlflow/scorers/register', { experiment_id: exp, name, serialized_scorer: JSON.stringify({ name }) });
    await register(readable, `${prefix}s-readable`);
    await register(hidden, `${prefix}s-hidden`);
    const names = (r: Answer) => ((r.json.scorers as any[] | undefined) ?? []).map((s) => s.scorer_name).filter((n: string) => n.startsWith(prefix));
    expect(names(await bob.call('GET', '/api/3.0/mlflow/scorers/list'))).toEqual([`${prefix}s-readable`]);
    expect(names(await bob.call('GET', `/ajax-api/3.0/mlflow/scorers/list?experiment_ids=${hidden}&experiment_ids=${readable}`))).toEqual([`${prefix}s-readable`]);
    expect((await bob.call('GET', `/api/3.0/mlflow/scorers/list?experiment_ids=${hidden}`)).json).toEqual({});
    expect((await bob.call('GET', `/api/3.0/mlflow/scorers/list?experiment_id=${hidden}`)).status).toBe(403);
    expect(names(await bob.call('GET', `/api/3.0/mlflow/scorers/list?experiment_id=${readable}`))).toEqual([`${prefix}s-readable`]);
    // carol reads by pattern (names ending in 3): the full listing is fetched and post-filtered.
    expect(names(await carol.call('GET', '/api/3.0/mlflow/scorers/list'))).toEqual([]);
    expect(names(await admin.call('GET', '/api/3.0/mlflow/scorers/list')).sort()).toEqual([`${prefix}s-hidden`, `${prefix}s-readable`]);
  });
});

describe('AI gateway lists', () => {
  const endpointIds: string[] = [];
  const endpointNames = [0, 1, 2].map((i) => `${prefix}ep${i}`);

  beforeAll(async () => {
    const secret = await mlflow<{ secret: { secret_id: string } }>('POST', '/api/3.0/mlflow/gateway/secrets/create', {
      secret_name: `${prefix}key`, secret_value: { api_key: 'sk-test-not-real' }, provider: 'openai',
    });
    const def = await mlflow<{ model_definition: { model_definition_id: string } }>('POST', '/api/3.0/mlflow/gateway/model-definitions/create', {
      name: `${prefix}def`, secret_id: secret.secret.secret_id, provider: 'openai', model_name: 'gpt-4o',
    });
    for (const name of endpointNames) {
      const ep = await mlflow<{ endpoint: { endpoint_id: string } }>('POST', '/api/3.0/mlflow/gateway/endpoints/create', {
        name, model_configs: [{ model_definition_id: def.model_definition.model_definition_id, linkage_type: 'PRIMARY', weight: 1 }],
      });
      endpointIds.push(ep.endpoint.endpoint_id);
    }
    await grant(stack, bob.userId, 'gateway_endpoint', [endpointIds[0]!], 'READ');
    await grant(stack, bob.userId, 'gateway_endpoint', [endpointIds[1]!], 'USE');
  });

  const mine = (names: string[]) => names.filter((n) => n.startsWith(prefix)).sort();

  it('endpoints/list: endpoints bob may read; models: endpoints bob may use', async () => {
    const list = await bob.call('GET', '/api/3.0/mlflow/gateway/endpoints/list');
    expect(list.status).toBe(200);
    expect(mine((list.json.endpoints as any[]).map((e) => e.name))).toEqual([endpointNames[0], endpointNames[1]]);
    const models = await bob.call('GET', '/gateway/mlflow/v1/models');
    expect(models.status).toBe(200);
    expect(models.json.object).toBe('list');
    expect(mine((models.json.data as any[]).map((m) => m.id))).toEqual([endpointNames[1]]);
  });

  it('carol sees no endpoint; an administrator sees all three', async () => {
    expect(mine(((await carol.call('GET', '/ajax-api/3.0/mlflow/gateway/endpoints/list')).json.endpoints ?? []).map((e: any) => e.name))).toEqual([]);
    expect((await carol.call('GET', '/gateway/mlflow/v1/models')).json.data.filter((m: any) => m.id.startsWith(prefix))).toEqual([]);
    expect(mine(((await admin.call('GET', '/api/3.0/mlflow/gateway/endpoints/list')).json.endpoints as any[]).map((e) => e.name))).toEqual(endpointNames);
  });
});
