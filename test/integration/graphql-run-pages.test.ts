import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, unique, userId, type ApiCaller, type ApiResult } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

// Issue #16: GraphQL run lists (mlflowSearchRuns, as MLflow's UI sends it: the input in a
// variable) have full pages and the gateway's own continuation tokens when the caller holds run
// grants or rules, as REST runs/search has. alice owns `exp` (14 runs) and `other` (3 runs);
// bob holds READ grants on five runs of `exp` only and owns `own` (2 runs); carol reads `exp`
// through group team-b with a DENY on one run (and one in `other`).

describe('GraphQL run lists: full pages and the gateway page tokens', () => {
  let stack: Stack;
  let alice: ApiCaller;
  let bob: ApiCaller;
  let carol: ApiCaller;
  let exp: string;
  let other: string;
  let own: string;
  const runs: string[] = [];
  const ownRuns: string[] = [];
  const grant = (g: Parameters<Stack['server']['gateway']['store']['grants']['set']>[0]) => stack.server.gateway.store.grants.set(g);

  const QUERY = 'query SearchRuns($data: MlflowSearchRunsInput!) { mlflowSearchRuns(input: $data) { runs { info { runId runName } } nextPageToken } }';
  const gql = (caller: ApiCaller, query: string, variables: Record<string, unknown>) =>
    caller.raw('POST', '/graphql', { body: JSON.stringify({ query, variables }), headers: { 'content-type': 'application/json' } });
  const search = (caller: ApiCaller, experimentIds: string[], maxResults: number, pageToken?: string, filter?: string) =>
    gql(caller, QUERY, { data: { experimentIds, maxResults, orderBy: ['attributes.run_name ASC'], ...(filter ? { filter } : {}), ...(pageToken ? { pageToken } : {}) } });

  /** Every run id of a GraphQL search, following nextPageToken; the page sizes too. */
  async function pageThrough(call: (token: string | undefined) => Promise<ApiResult>): Promise<{ ids: string[]; pages: number[] }> {
    const ids: string[] = [];
    const pages: number[] = [];
    let token: string | undefined;
    for (let i = 0; i < 30; i++) {
      const r = await call(token);
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect(r.json.errors ?? null, JSON.stringify(r.json)).toBeNull();
      expect(JSON.stringify(r.json)).not.toMatch(/gw[0-9a-f]{24}/); // no marker alias reaches the client
      const page = (r.json.data.mlflowSearchRuns.runs ?? []) as { info: { runId: string } }[];
      pages.push(page.length);
      ids.push(...page.map((x) => x.info.runId));
      token = r.json.data.mlflowSearchRuns.nextPageToken || undefined;
      if (!token) break;
    }
    return { ids, pages };
  }

  beforeAll(async () => {
    stack = await startStack();
    [alice, bob, carol] = await Promise.all([callerFor(stack, 'alice'), callerFor(stack, 'bob'), callerFor(stack, 'carol')]);
    const made = async (caller: ApiCaller, name: string) => {
      const r = await caller.post('experiments/create', { name: unique(name) });
      expect(r.status).toBe(200);
      return r.json.experiment_id as string;
    };
    exp = await made(alice, 'gql-pages');
    other = await made(alice, 'gql-pages-other');
    own = await made(bob, 'gql-pages-own');
    const create = async (caller: ApiCaller, experiment: string, name: string) => (await caller.post('runs/create', { experiment_id: experiment, run_name: name })).json.run.info.run_id as string;
    for (let i = 0; i < 14; i++) runs.push(await create(alice, exp, `r-${String(i).padStart(2, '0')}`));
    const otherRuns: string[] = [];
    for (let i = 0; i < 3; i++) otherRuns.push(await create(alice, other, `o-${i}`));
    for (let i = 0; i < 2; i++) ownRuns.push(await create(bob, own, `b-${i}`));
    const bobId = await userId(stack, 'bob');
    for (const i of [1, 4, 6, 9, 13]) await grant({ principalType: 'user', principal: bobId, resourceType: 'run', resourceId: runs[i]!, level: 'READ' });
    await carol.get('experiments/search', { max_results: '1' }); // carol's user row exists
    // carol holds a run rule too (a DENY elsewhere), so her run lists are the gateway's pages.
    await grant({ principalType: 'user', principal: await userId(stack, 'carol'), resourceType: 'run', resourceId: otherRuns[0]!, level: 'DENY' });
  });
  afterAll(async () => stack?.stop());

  it('run grants only: full pages of exactly the granted runs, across gateway page tokens', async () => {
    const granted = [1, 4, 6, 9, 13].map((i) => runs[i]);
    const paged = await pageThrough((t) => search(bob, [exp], 2, t));
    expect(paged.ids).toEqual(granted);
    expect(paged.pages).toEqual([2, 2, 1]);
    expect(stack.logs.filter((l) => l.includes('/graphql')).pop()).toMatch(/mlflowSearchRuns paged \(ids, /);
    // Beside his own experiment: his runs plus exactly the granted ones, pages full.
    const mixed = await pageThrough((t) => search(bob, [exp, own, other], 3, t));
    expect(new Set(mixed.ids)).toEqual(new Set([...granted, ...ownRuns]));
    expect(mixed.ids).toHaveLength(7);
    expect(mixed.pages).toEqual([3, 3, 1]);
  });

  it('a run DENY inside a readable experiment hides that run; pages stay full, MLflow order kept', async () => {
    const carolId = await userId(stack, 'carol');
    await grant({ principalType: 'group', principal: 'team-b', resourceType: 'experiment', resourceId: exp, level: 'READ' });
    await grant({ principalType: 'user', principal: carolId, resourceType: 'run', resourceId: runs[2]!, level: 'DENY' });
    try {
      const paged = await pageThrough((t) => search(carol, [exp], 5, t));
      expect(paged.ids).toEqual(runs.filter((_, i) => i !== 2));
      expect(paged.pages).toEqual([5, 5, 3]);
      // Aliases and fragments: every `runs` and `nextPageToken` alias carries the page.
      const aliased = await gql(carol, 'query Q($d: MlflowSearchRunsInput) { page: mlflowSearchRuns(input: $d) { ...F ids: runs { info { runId } } more: nextPageToken } } fragment F on MlflowSearchRunsResponse { runs { info { runName } } nextPageToken }', { d: { experimentIds: [exp], maxResults: 4, orderBy: ['attributes.run_name ASC'] } });
      const page = aliased.json.data.page;
      expect(page.ids.map((r: any) => r.info.runId)).toEqual([0, 1, 3, 4].map((i) => runs[i]));
      expect(page.runs.map((r: any) => r.info.runName)).toEqual(['r-00', 'r-01', 'r-03', 'r-04']);
      expect(page.more).toBe(page.nextPageToken);
      const next = await search(carol, [exp], 4, page.more as string);
      expect(next.json.data.mlflowSearchRuns.runs.map((r: any) => r.info.runId)).toEqual([5, 6, 7, 8].map((i) => runs[i]));
    } finally {
      await stack.server.gateway.store.grants.delete('user', carolId, 'run', runs[2]!);
      await stack.server.gateway.store.grants.delete('group', 'team-b', 'experiment', exp);
    }
  });

  it('a forged, replayed or upstream page token is refused (attack: steering the GraphQL run-list offset past the filter)', async () => {
    const first = await search(bob, [exp], 2);
    const token = first.json.data.mlflowSearchRuns.nextPageToken as string;
    expect(token).toMatch(/\./); // the gateway's signed token, not MLflow's
    const refused = (r: ApiResult) => {
      expect(r.status, JSON.stringify(r.json)).toBe(400);
      expect(r.json.gateway_code).toBe('GW_BAD_REQUEST');
      expect(JSON.stringify(r.json)).not.toContain(runs[0]!);
    };
    // Replayed for another query (another filter, other experiments), by another caller.
    refused(await search(bob, [exp], 2, token, "attributes.run_name LIKE 'r-%'"));
    refused(await search(bob, [exp, other], 2, token));
    refused(await search(carol, [exp], 2, token));
    // Tampered: the state says to skip nothing of MLflow's first page, the signature is kept.
    const [payload, sig] = token.split('.') as [string, string];
    const state = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    state.s = { ...state.s, skip: 0, upstreamToken: undefined, batchSize: 50 };
    refused(await search(bob, [exp], 2, `${Buffer.from(JSON.stringify(state)).toString('base64url')}.${sig}`));
    // MLflow's own token (an offset) is not taken either: MLflow's offset 0 over the whole experiment.
    const upstreamToken = Buffer.from(JSON.stringify({ offset: 0 })).toString('base64');
    refused(await search(bob, [exp], 2, upstreamToken));
    // A REST runs/search token is another search.
    const rest = await bob.post('runs/search', { experiment_ids: [exp], max_results: 2, order_by: ['attributes.run_name ASC'] });
    refused(await search(bob, [exp], 2, rest.json.next_page_token as string));
  });
});
