import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { median } from '../lib/stats.js';

// Scenario: child grants in a big experiment (issue #16). One experiment with `runs` runs that the
// caller cannot read, and `granted` run grants to the caller; the first page of runs/search through
// the gateway (which asks MLflow for exactly the granted runs: attributes.run_id IN (…)) against the
// same, unfiltered call straight to MLflow. Goal: within 2× the direct call.
//
// Run by bench/suite.ts (scenario `children`) and, small, by test/integration/child-grants-bench.test.ts:
// the caller hands in URLs, the caller's credential and a function that writes the grants.

export interface ChildGrantsOptions {
  readonly mlflowUrl: string;
  readonly gatewayUrl: string;
  /** Headers that authenticate the (non-admin) caller at the gateway. */
  readonly callerHeaders: Record<string, string>;
  /** Gives the caller READ on these runs (store or admin API). */
  readonly grantRuns: (runIds: readonly string[]) => Promise<void>;
  readonly runs: number;
  readonly granted: number;
  readonly rounds: number;
}

export interface ChildGrantsResult {
  readonly runs: number;
  readonly granted: number;
  readonly rounds: number;
  readonly directMs: number;
  readonly gatewayMs: number;
  readonly ratio: number;
  /** Runs the gateway's first page held (must be `granted` when it is below the page size). */
  readonly gatewayFirstPage: number;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : {} };
}

export async function runChildGrants(o: ChildGrantsOptions): Promise<ChildGrantsResult> {
  const api = (base: string) => `${base.replace(/\/+$/, '')}/api/2.0/mlflow`;
  const exp = await post(`${api(o.mlflowUrl)}/experiments/create`, { name: `bench-child-grants-${Date.now().toString(36)}` });
  if (exp.status !== 200) throw new Error(`experiments/create → ${exp.status}`);
  const experimentId = exp.json.experiment_id as string;
  // Created straight on MLflow, a few at a time (SQLite serialises the writes anyway), in index order.
  const runIds: string[] = new Array<string>(o.runs);
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < o.runs) {
      const i = next++;
      const r = await post(`${api(o.mlflowUrl)}/runs/create`, { experiment_id: experimentId, run_name: `r${i}`, start_time: Date.now() });
      if (r.status !== 200) throw new Error(`runs/create → ${r.status}`);
      runIds[i] = r.json.run.info.run_id as string;
    }
  }));
  // Spread over the experiment, not the newest ones (those would also be MLflow's first page).
  const step = Math.max(1, Math.floor(o.runs / o.granted));
  const grants = runIds.filter((_, i) => i % step === 0).slice(0, o.granted);
  await o.grantRuns(grants);

  const body = { experiment_ids: [experimentId], max_results: 100 };
  const time = async (url: string, headers?: Record<string, string>) => {
    const t0 = performance.now();
    const r = await post(url, body, headers);
    if (r.status !== 200) throw new Error(`runs/search ${url} → ${r.status}: ${JSON.stringify(r.json).slice(0, 200)}`);
    return { ms: performance.now() - t0, count: ((r.json.runs ?? []) as unknown[]).length };
  };
  await time(`${api(o.mlflowUrl)}/runs/search`); // warm-up both paths
  const warm = await time(`${api(o.gatewayUrl)}/runs/search`, o.callerHeaders);
  const direct: number[] = [];
  const gateway: number[] = [];
  for (let i = 0; i < o.rounds; i++) {
    direct.push((await time(`${api(o.mlflowUrl)}/runs/search`)).ms);
    gateway.push((await time(`${api(o.gatewayUrl)}/runs/search`, o.callerHeaders)).ms);
  }
  const directMs = median(direct);
  const gatewayMs = median(gateway);
  return { runs: o.runs, granted: grants.length, rounds: o.rounds, directMs, gatewayMs, ratio: gatewayMs / directMs, gatewayFirstPage: warm.count };
}
