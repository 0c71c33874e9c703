import { loadavg } from 'node:os';
import type { Profile } from '../profile.js';
import { log } from '../lib/log.js';
import { median, rotate } from '../lib/stats.js';
import type { Settle } from '../lib/settle.js';
import type { Target } from '../lib/targets.js';
import { failures, runLoad, type LoadResult } from '../lib/wrk.js';
import { probe, withHeaders, type Endpoint } from './rest-endpoints.js';

// Scenarios 1 and 5: added latency of authorized REST calls. Every round runs every
// (endpoint, concurrency) for every target back to back, in a rotating target order, so that the
// direct figures a target is compared with were measured moments before or after it.

export interface RestSample {
  round: number;
  endpoint: string;
  concurrency: number;
  target: string;
  result: LoadResult;
  /** 1-minute load average when the sample began. */
  load1?: number;
}

export interface RestCell {
  endpoint: string;
  concurrency: number;
  target: string;
  rounds: number;
  /** Medians over rounds (ms, requests/s). */
  requests: number;
  p50: number;
  p99: number;
  rps: number;
  failures: number;
  /** Median over rounds of (this target − its baseline, same round), ms. */
  addedP50?: number;
  addedP99?: number;
  /** Median over rounds of this target's p50 / its baseline's p50. */
  ratioP50?: number;
  /** Lowest and highest 1-minute load average at the start of the cell's rounds. */
  loadAverage?: [number, number];
}

export interface RestResult {
  samples: RestSample[];
  cells: RestCell[];
  /** Targets × endpoints that did not answer 2xx before measuring (not measured). */
  refused: { target: string; endpoint: string; status: number; body: string }[];
}

export async function runRestLatency(targets: readonly Target[], endpoints: readonly Endpoint[], profile: Profile, settle: Settle): Promise<RestResult> {
  const refused: RestResult['refused'] = [];
  const usable = new Set<string>();
  for (const t of targets) {
    for (const e of endpoints) {
      const r = await probe(t.url, withHeaders(e.request, t.headers));
      if (r.status >= 200 && r.status < 300) usable.add(`${t.id} ${e.id}`);
      else refused.push({ target: t.id, endpoint: e.id, status: r.status, body: r.text });
    }
  }
  for (const x of refused) log(`rest: ${x.target} refused ${x.endpoint} (${x.status}): ${x.body.slice(0, 120)}`);

  log(`rest: warming up ${usable.size} target × endpoint pairs`);
  for (const t of targets) {
    for (const e of endpoints) {
      if (!usable.has(`${t.id} ${e.id}`)) continue;
      await runLoad(t.url, withHeaders(e.request, t.headers), { requests: profile.rest.warmupRequests, connections: 4, maxSeconds: 5 });
    }
  }

  const samples: RestSample[] = [];
  for (let round = 0; round < profile.rounds; round++) {
    log(`rest: round ${round + 1}/${profile.rounds}`);
    for (const e of endpoints) {
      for (const c of profile.rest.concurrencies) {
        for (const t of rotate(targets, round)) {
          if (!usable.has(`${t.id} ${e.id}`)) continue;
          await settle();
          const load1 = Math.round(loadavg()[0]! * 100) / 100;
          const result = await runLoad(t.url, withHeaders(e.request, t.headers), {
            requests: profile.rest.requests[c] ?? 200, connections: c, maxSeconds: profile.rest.maxSeconds[c] ?? 5,
          });
          samples.push({ round, endpoint: e.id, concurrency: c, target: t.id, result, load1 });
        }
      }
    }
  }
  return { samples, cells: summarize(samples, targets), refused };
}

function summarize(samples: readonly RestSample[], targets: readonly Target[]): RestCell[] {
  const cells: RestCell[] = [];
  const key = (s: { endpoint: string; concurrency: number; target: string }) => `${s.endpoint}|${s.concurrency}|${s.target}`;
  const groups = new Map<string, RestSample[]>();
  for (const s of samples) groups.set(key(s), [...(groups.get(key(s)) ?? []), s]);
  for (const [k, list] of groups) {
    const [endpoint, conc, targetId] = k.split('|') as [string, string, string];
    const target = targets.find((t) => t.id === targetId);
    const cell: RestCell = {
      endpoint, concurrency: Number(conc), target: targetId, rounds: list.length,
      requests: median(list.map((s) => s.result.requests)),
      p50: median(list.map((s) => s.result.latency.p50)),
      p99: median(list.map((s) => s.result.latency.p99)),
      rps: median(list.map((s) => s.result.rps)),
      failures: list.reduce((n, s) => n + failures(s.result), 0),
    };
    const loads = list.flatMap((s) => (s.load1 === undefined ? [] : [s.load1]));
    if (loads.length) cell.loadAverage = [Math.min(...loads), Math.max(...loads)];
    if (target?.baseline) {
      const base = new Map(samples.filter((s) => s.target === target.baseline && s.endpoint === endpoint && s.concurrency === cell.concurrency).map((s) => [s.round, s.result]));
      const paired = list.filter((s) => base.has(s.round));
      if (paired.length > 0) {
        cell.addedP50 = median(paired.map((s) => s.result.latency.p50 - base.get(s.round)!.latency.p50));
        cell.addedP99 = median(paired.map((s) => s.result.latency.p99 - base.get(s.round)!.latency.p99));
        cell.ratioP50 = median(paired.map((s) => s.result.latency.p50 / base.get(s.round)!.latency.p50));
      }
    }
    cells.push(cell);
  }
  return cells;
}
