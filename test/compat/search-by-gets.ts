// SearchExperiments for a grant-only caller on every MLflow version of the compat run: on versions
// without `experiment_id IN (…)` (before 3.17) the gateway answers with per-id GetExperiment calls
// (src/mlflow/experiments-by-get.ts), on 3.17+ with the IN filter. Either way every page must be
// MLflow's own answer restricted to the caller's experiments: same objects, same order, full pages,
// a next token exactly when more follow. A counting proxy between gateway and MLflow shows the cost
// follows the grants: a printed line per version compares it with the checked scan (the same
// request with a filter no per-id get can evaluate, `name LIKE '%'`).
//
// Run inside journey.test.ts's block of each version, on its MLflow server (one server start per
// version). GETS_BENCH_EXPERIMENTS=2000 makes the server bigger for the measurement (default 40:
// enough for ordering and paging, cheap in CI).
import { createServer, type Server } from 'node:http';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilitiesFor, version } from '../../src/compat/index.js';
import type { MlflowServer } from '../../src/devtools/mlflow.js';
import { callerFor, userId, type ApiCaller } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

const SERVER_EXPERIMENTS = Number(process.env.GETS_BENCH_EXPERIMENTS ?? 40);
const GRANTED = 6;

/** An HTTP proxy that counts the calls per path (the gateway's upstream calls). */
async function countingProxy(target: string): Promise<{ url: string; counts: Map<string, number>; server: Server }> {
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      counts.set(path, (counts.get(path) ?? 0) + 1);
      const headers = { ...req.headers };
      delete headers.host;
      delete headers.connection;
      request(`${target}${req.url ?? '/'}`, { method: req.method as 'GET', headers, body: chunks.length ? Buffer.concat(chunks) : null })
        .then(async (r) => {
          const body = Buffer.from(await r.body.arrayBuffer());
          const out: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(r.headers)) if (v !== undefined && !['transfer-encoding', 'connection', 'content-length'].includes(k)) out[k] = v;
          res.writeHead(r.statusCode, out).end(body);
        })
        .catch((err: Error) => res.writeHead(502).end(err.message));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  return { url: `http://127.0.0.1:${address.port}`, counts, server };
}

async function direct(mlflow: MlflowServer, path: string, body: unknown): Promise<Record<string, any>> {
  const r = await fetch(`${mlflow.url}/api/2.0/mlflow/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await r.json()) as Record<string, any>;
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

/** Every page of a search through the gateway, with each page's size and whether it had a token. */
async function paginate(alice: ApiCaller, params: Record<string, unknown>, pageSize: number): Promise<{ items: any[]; pages: Array<[number, boolean]> }> {
  const items: any[] = [];
  const pages: Array<[number, boolean]> = [];
  let token: string | undefined;
  for (let i = 0; i < 200; i++) {
    const r = await alice.post('experiments/search', { ...params, max_results: pageSize, ...(token ? { page_token: token } : {}) });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const page = (r.json.experiments ?? []) as any[];
    items.push(...page);
    token = r.json.next_page_token as string | undefined;
    pages.push([page.length, token !== undefined]);
    if (!token) return { items, pages };
  }
  throw new Error('pagination does not end');
}

/** MLflow's whole answer for the same parameters, restricted to `ids`. */
async function directRestricted(mlflow: MlflowServer, params: Record<string, unknown>, ids: ReadonlySet<string>): Promise<any[]> {
  const out: any[] = [];
  let token: string | undefined;
  do {
    const r = await direct(mlflow, 'experiments/search', { ...params, max_results: 1000, ...(token ? { page_token: token } : {}) });
    out.push(...((r.experiments ?? []) as any[]).filter((e) => ids.has(e.experiment_id)));
    token = r.next_page_token as string | undefined;
  } while (token);
  return out;
}

/** The tests, for the MLflow `server()` returns (started by the enclosing block). */
export function searchByGets(mlflowVersion: string, server: () => MlflowServer): void {
  describe('experiment search for a grant-only caller', () => {
    const caps = capabilitiesFor(version(mlflowVersion));
    const expectedMode = caps.experimentIdInFilter ? 'ids' : 'gets';
    let mlflow: MlflowServer;
    let proxy: Awaited<ReturnType<typeof countingProxy>>;
    let stack: Stack;
    let alice: ApiCaller;
    const granted = new Set<string>();

    beforeAll(async () => {
      mlflow = server();
      proxy = await countingProxy(mlflow.url);
      stack = await startStack({ upstreamUrl: proxy.url });
      const prefix = `gets-${Date.now().toString(36)}`;
      const ids: string[] = [];
      // Created in parallel batches: creation times tie often, so the experiment_id tie-breaker is exercised.
      for (let i = 0; i < SERVER_EXPERIMENTS; i += 20) {
        const batch = Array.from({ length: Math.min(20, SERVER_EXPERIMENTS - i) }, (_, j) => direct(mlflow, 'experiments/create', { name: `${prefix}-${i + j}` }));
        ids.push(...(await Promise.all(batch)).map((r) => r.experiment_id as string));
      }
      alice = await callerFor(stack, 'alice');
      await alice.get('experiments/search', { max_results: '1' });
      const aliceId = await userId(stack, 'alice');
      // Spread over the whole server; one of them deleted (view types), one a grant on a missing id.
      const step = Math.floor(ids.length / GRANTED);
      for (let k = 0; k < GRANTED; k++) granted.add(ids[k * step + 1] ?? ids[k]!);
      for (const id of [...granted, '987654321']) {
        await stack.server.gateway.store.grants.set({ principalType: 'user', principal: aliceId, resourceType: 'experiment', resourceId: id, level: 'READ' });
      }
      await direct(mlflow, 'experiments/delete', { experiment_id: [...granted][2] });
      // A later update time for one of them (last_update_time order differs from creation order).
      await direct(mlflow, 'experiments/update', { experiment_id: [...granted][0], new_name: `${prefix}-renamed` });
    }, 20 * 60_000);
    afterAll(async () => {
      await stack?.stop();
      await new Promise((resolve) => proxy?.server.close(resolve));
    });

    const variants: Array<Record<string, unknown>> = [
      {},
      { order_by: ['creation_time ASC'] },
      { order_by: ['last_update_time DESC'] },
      { order_by: ['experiment_id DESC'] },
      { view_type: 'ALL' },
      { view_type: 'DELETED_ONLY', order_by: ['creation_time'] },
    ];
    it.each(variants)('pages are MLflow\'s answer restricted to the grants: %j', async (params) => {
      const expected = await directRestricted(mlflow, params, granted);
      expect(expected.length).toBeGreaterThan(0);
      for (const size of [1, 2, 100]) {
        const got = await paginate(alice, params, size);
        expect(got.items, `page size ${size}`).toEqual(expected);
        // Full pages; a token exactly when more follow (the last page of an exact multiple has none).
        const count = Math.max(1, Math.ceil(expected.length / size));
        const want = Array.from({ length: count }, (_, i): [number, boolean] => [Math.min(size, expected.length - i * size), i < count - 1]);
        expect(got.pages, `page size ${size}`).toEqual(want);
      }
      const log = stack.logs.filter((l) => l.includes('experiments (')).at(-1) ?? '';
      expect(log).toContain(`experiments (${expectedMode},`);
    }, 120_000);

    it('the cost follows the grants, not the server (printed against the checked scan)', async () => {
      const measure = async (params: Record<string, unknown>) => {
        proxy.counts.clear();
        const t0 = performance.now();
        const got = await paginate(alice, params, 10);
        const ms = performance.now() - t0;
        // MLflow API calls only (the gateway's own /version re-check may fall into the window).
        const calls = [...proxy.counts].filter(([path]) => path.startsWith('/api/')).reduce((a, [, n]) => a + n, 0);
        return { items: got.items.map((e) => e.experiment_id as string), calls, ms, byPath: Object.fromEntries(proxy.counts) };
      };
      const scan = await measure({ filter: "name LIKE '%'" });
      const fast = await measure({});
      process.stdout.write(`\nMLflow ${mlflowVersion}, ${SERVER_EXPERIMENTS} experiments created for this test, ${granted.size - 1} readable (${expectedMode}): ` +
        `checked scan ${scan.calls} upstream calls ${scan.ms.toFixed(0)} ms ${JSON.stringify(scan.byPath)}; ${expectedMode} ${fast.calls} upstream calls ${fast.ms.toFixed(0)} ms ${JSON.stringify(fast.byPath)}\n`);
      expect(fast.items).toEqual(scan.items);
      if (expectedMode === 'gets') {
        // One page (10 ≥ readable): one GetExperiment per granted id (the missing one included), no search.
        expect(proxy.counts.get('/api/2.0/mlflow/experiments/search') ?? 0).toBe(0);
        expect(fast.calls).toBe(granted.size + 1);
      } else {
        expect(fast.calls).toBe(1);
      }
    }, 300_000);
  });
}
