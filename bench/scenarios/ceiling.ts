import type { Profile } from '../profile.js';
import type { GatewayProcess } from '../lib/gateway-process.js';
import { log } from '../lib/log.js';
import { median } from '../lib/stats.js';
import type { Settle } from '../lib/settle.js';
import type { Target } from '../lib/targets.js';
import { failures, runLoad, type LoadResult } from '../lib/wrk.js';
import { withHeaders, type Endpoint } from './rest-endpoints.js';

// Scenario 2: the gateway's own cost per request. The upstream is a trivial canned-JSON server
// (fake-upstream-child.ts), so MLflow's time drops out; the gateway's CPU seconds during each run
// (from /proc) turn throughput into requests per second per core of gateway CPU.

export interface CeilingSample {
  round: number;
  endpoint: string;
  target: string;
  result: LoadResult;
  /** Gateway CPU seconds used during the run (undefined for the direct target). */
  gatewayCpuSeconds?: number;
}

export interface CeilingCell {
  endpoint: string;
  target: string;
  rounds: number;
  rps: number;
  /** Requests per gateway CPU-second: what one core sustains. */
  rpsPerCore?: number;
  /** Gateway CPU time per request, microseconds. */
  cpuUsPerRequest?: number;
  p50: number;
  p99: number;
  failures: number;
}

export interface CeilingResult {
  samples: CeilingSample[];
  cells: CeilingCell[];
}

export async function runCeiling(gateway: GatewayProcess, targets: readonly Target[], endpoints: readonly Endpoint[], profile: Profile, settle: Settle): Promise<CeilingResult> {
  const opts = { requests: profile.ceiling.requests, connections: profile.ceiling.connections, maxSeconds: profile.ceiling.maxSeconds };
  log('ceiling: warming up');
  for (const t of targets) for (const e of endpoints) await runLoad(t.url, withHeaders(e.request, t.headers), { ...opts, requests: Math.min(1000, Math.ceil(opts.requests / 5)) });
  const samples: CeilingSample[] = [];
  for (let round = 0; round < profile.rounds; round++) {
    log(`ceiling: round ${round + 1}/${profile.rounds}`);
    for (const e of endpoints) {
      for (const t of targets) {
        await settle();
        const before = gateway.cpuSeconds();
        const result = await runLoad(t.url, withHeaders(e.request, t.headers), opts);
        const cpu = gateway.cpuSeconds() - before;
        samples.push({ round, endpoint: e.id, target: t.id, result, ...(t.kind === 'gateway' ? { gatewayCpuSeconds: cpu } : {}) });
      }
    }
  }
  const cells: CeilingCell[] = [];
  for (const e of endpoints) {
    for (const t of targets) {
      const list = samples.filter((s) => s.endpoint === e.id && s.target === t.id);
      const cell: CeilingCell = {
        endpoint: e.id, target: t.id, rounds: list.length,
        rps: median(list.map((s) => s.result.rps)),
        p50: median(list.map((s) => s.result.latency.p50)),
        p99: median(list.map((s) => s.result.latency.p99)),
        failures: list.reduce((n, s) => n + failures(s.result), 0),
      };
      if (t.kind === 'gateway') {
        cell.rpsPerCore = median(list.map((s) => s.result.requests / (s.gatewayCpuSeconds ?? NaN)));
        cell.cpuUsPerRequest = median(list.map((s) => ((s.gatewayCpuSeconds ?? NaN) / s.result.requests) * 1e6));
      }
      cells.push(cell);
    }
  }
  return { samples, cells };
}
