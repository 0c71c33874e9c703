import { loadavg } from 'node:os';
import type { Profile } from '../profile.js';
import { log } from '../lib/log.js';
import { cpuSecondsOf } from '../lib/procfs.js';
import { median } from '../lib/stats.js';
import type { Settle } from '../lib/settle.js';
import type { Target } from '../lib/targets.js';
import { failures, runLoad, type LoadResult } from '../lib/wrk.js';
import { withHeaders, type Endpoint } from './rest-endpoints.js';

// Scenario 2: the gateway's own cost per request. The upstream is a trivial canned-JSON server
// (fake-upstream-child.ts), so MLflow's time drops out; the gateway's CPU seconds during each run
// (from /proc) turn throughput into requests per second per core of gateway CPU. The bare proxy
// (bare-proxy-child.ts: the same HTTP stack, no authentication or authorization) runs in the same
// rounds against the same upstream: the gateway's CPU per request over the bare proxy's is the
// cost of what the gateway adds. Every sample carries the 1-minute load average when it began.

export interface CeilingSample {
  round: number;
  endpoint: string;
  target: string;
  result: LoadResult;
  /** CPU seconds of the target's process (gateway, bare proxy) during the run; undefined for the direct target. */
  gatewayCpuSeconds?: number;
  /** 1-minute load average when the run began. */
  load1: number;
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
  /** Gateway targets: CPU per request ÷ the bare proxy's on the same endpoint. */
  cpuVsBareProxy?: number;
  p50: number;
  p99: number;
  failures: number;
  /** Lowest and highest 1-minute load average at the start of the cell's rounds. */
  loadAverage: [number, number];
}

export interface CeilingResult {
  samples: CeilingSample[];
  cells: CeilingCell[];
}

export async function runCeiling(targets: readonly Target[], endpoints: readonly Endpoint[], profile: Profile, settle: Settle): Promise<CeilingResult> {
  const opts = { requests: profile.ceiling.requests, connections: profile.ceiling.connections, maxSeconds: profile.ceiling.maxSeconds };
  log('ceiling: warming up');
  for (const t of targets) for (const e of endpoints) await runLoad(t.url, withHeaders(e.request, t.headers), { ...opts, requests: Math.min(1000, Math.ceil(opts.requests / 5)) });
  const samples: CeilingSample[] = [];
  for (let round = 0; round < profile.rounds; round++) {
    log(`ceiling: round ${round + 1}/${profile.rounds}`);
    for (const e of endpoints) {
      for (const t of targets) {
        await settle();
        const load1 = Math.round(loadavg()[0]! * 100) / 100;
        const before = t.cpuPid === undefined ? 0 : cpuSecondsOf(t.cpuPid);
        const result = await runLoad(t.url, withHeaders(e.request, t.headers), opts);
        const cpu = t.cpuPid === undefined ? undefined : cpuSecondsOf(t.cpuPid) - before;
        samples.push({ round, endpoint: e.id, target: t.id, result, load1, ...(cpu === undefined ? {} : { gatewayCpuSeconds: cpu }) });
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
        loadAverage: [Math.min(...list.map((s) => s.load1)), Math.max(...list.map((s) => s.load1))],
      };
      if (t.cpuPid !== undefined) {
        cell.rpsPerCore = median(list.map((s) => s.result.requests / (s.gatewayCpuSeconds ?? NaN)));
        cell.cpuUsPerRequest = median(list.map((s) => ((s.gatewayCpuSeconds ?? NaN) / s.result.requests) * 1e6));
      }
      cells.push(cell);
    }
    const bare = cells.find((c) => c.endpoint === e.id && targets.find((t) => t.id === c.target)?.kind === 'bare-proxy')?.cpuUsPerRequest;
    for (const c of cells) {
      if (c.endpoint === e.id && bare && c.cpuUsPerRequest !== undefined && targets.find((t) => t.id === c.target)?.kind === 'gateway') c.cpuVsBareProxy = c.cpuUsPerRequest / bare;
    }
  }
  return { samples, cells };
}
