import { loadavg } from 'node:os';
import { Agent, request } from 'undici';
import { memoryOf } from '../lib/procfs.js';
import type { GatewayProcess } from './gateway-process.js';

// A bounded load run against a gateway process in front of a real MLflow: `clients` concurrent
// loops, each sending one request at a time (a mix of experiments/get, runs/log-metric and
// runs/search) for `durationMs`, half with personal access tokens and half with IdP JWTs.
// The gateway's RSS is sampled every second. Nothing here asserts a timing.

export interface LoadOptions {
  readonly gw: GatewayProcess;
  readonly clients: number;
  readonly durationMs: number;
  /** Fixtures the requests use (created by prepareLoad). */
  readonly fixtures: LoadFixtures;
}

export interface LoadFixtures {
  readonly experimentIds: readonly string[];
  readonly runIds: readonly string[];
  readonly personalTokens: readonly string[];
  /** Current IdP access token (renewed by prepareLoad's refresher while the run lasts). */
  jwt(): string;
  stop(): void;
}

export interface LoadReport {
  readonly clients: number;
  readonly seconds: number;
  readonly requests: number;
  readonly perSecond: number;
  readonly byOperation: Record<string, number>;
  readonly byCredential: Record<string, number>;
  readonly statuses: Record<string, number>;
  /** Non-2xx answers and connection errors, with a few examples. */
  readonly errors: number;
  /**
   * The errors by origin: `connection` (refused, reset, timed out), `gateway` (an answer of the
   * gateway's own: it carries `gateway_code`, or any 4xx), `mlflow` (a 5xx MLflow itself produced
   * and the gateway passed on, e.g. its SQLite backend's "database is locked" under concurrent writes).
   */
  readonly errorsBy: { connection: number; gateway: number; mlflow: number };
  readonly errorExamples: string[];
  readonly latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Gateway RSS every second, in MiB. */
  readonly rssMiB: number[];
  /** Per second of the run: requests completed, their p50/p99 (ms), errors, and the 1-minute load average. */
  readonly timeline: { second: number; requests: number; p50: number; p99: number; errors: number; load1: number }[];
  readonly rss: { firstThirdMaxMiB: number; lastThirdMaxMiB: number; growthMiB: number };
}

/** Creates experiments and runs as `alice`, two personal tokens, and keeps an IdP JWT fresh. */
export async function prepareLoad(gw: GatewayProcess, opts: { experiments?: number; runsPerExperiment?: number } = {}): Promise<LoadFixtures> {
  let jwt = (await gw.idp.getTokens('alice')).access_token;
  const call = async (method: string, path: string, body?: unknown, token = jwt) => {
    const res = await fetch(`${gw.gatewayUrl}${path}`, {
      method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, any>;
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const tag = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const experimentIds: string[] = [];
  const runIds: string[] = [];
  for (let e = 0; e < (opts.experiments ?? 4); e++) {
    const exp = await call('POST', '/api/2.0/mlflow/experiments/create', { name: `load-${tag}-${e}` });
    experimentIds.push(String(exp.experiment_id));
    for (let r = 0; r < (opts.runsPerExperiment ?? 5); r++) {
      const run = await call('POST', '/api/2.0/mlflow/runs/create', { experiment_id: String(exp.experiment_id) });
      runIds.push(String(run.run.info.run_id));
    }
  }
  const personalTokens: string[] = [];
  for (let i = 0; i < 2; i++) {
    const t = await call('POST', '/_gateway/api/v1/tokens', { name: `load-${tag}-${i}`, expires_in_days: 1 });
    personalTokens.push(String(t.token));
  }
  // IdP access tokens live 5 minutes: renew every minute for runs longer than that.
  const renew = setInterval(() => {
    gw.idp.getTokens('alice').then((t) => void (jwt = t.access_token), () => undefined);
  }, 60_000);
  return { experimentIds, runIds, personalTokens, jwt: () => jwt, stop: () => clearInterval(renew) };
}

/** xorshift32: a seeded PRNG, so runs are comparable. */
function prng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

export async function runLoad(opts: LoadOptions): Promise<LoadReport> {
  const { gw, fixtures } = opts;
  const origin = new URL(gw.gatewayUrl).origin;
  const dispatcher = new Agent({ connections: opts.clients, pipelining: 1, keepAliveTimeout: 30_000 });
  const pid = gw.child.pid!;
  const rssMiB: number[] = [];
  const loads: number[] = [];
  const sampler = setInterval(() => {
    loads.push(loadavg()[0]!);
    try {
      rssMiB.push(memoryOf(pid).rss / 1024 / 1024);
    } catch {
      // the process is gone; the run reports it as errors
    }
  }, 1000);
  /** Latencies and error counts by the second of the run in which each request completed. */
  const bySecond: number[][] = [];
  const errorsBySecond: number[] = [];
  const byOperation: Record<string, number> = {};
  const byCredential: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  const errorExamples: string[] = [];
  const latencies: number[] = [];
  let errors = 0;
  const errorsBy = { connection: 0, gateway: 0, mlflow: 0 };
  const started = performance.now();
  const until = started + opts.durationMs;

  async function client(index: number): Promise<void> {
    const random = prng(0x9e3779b9 ^ (index * 2654435761));
    const usesPat = index % 2 === 0;
    const credentialName = usesPat ? 'pat' : 'jwt';
    while (performance.now() < until) {
      const token = usesPat ? fixtures.personalTokens[index % fixtures.personalTokens.length]! : fixtures.jwt();
      const pick = random();
      const experimentId = fixtures.experimentIds[Math.floor(random() * fixtures.experimentIds.length)]!;
      const runId = fixtures.runIds[Math.floor(random() * fixtures.runIds.length)]!;
      let op: string;
      let path: string;
      let method: 'GET' | 'POST';
      let body: string | undefined;
      if (pick < 0.5) {
        op = 'experiments/get';
        method = 'GET';
        path = `/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`;
      } else if (pick < 0.75) {
        op = 'runs/search';
        method = 'POST';
        path = '/api/2.0/mlflow/runs/search';
        body = JSON.stringify({ experiment_ids: [experimentId], max_results: 10 });
      } else {
        op = 'runs/log-metric';
        method = 'POST';
        path = '/api/2.0/mlflow/runs/log-metric';
        body = JSON.stringify({ run_id: runId, key: 'load', value: random(), timestamp: Date.now(), step: index });
      }
      const t0 = performance.now();
      let failed = false;
      try {
        const res = await request(`${origin}${path}`, {
          method, dispatcher, headersTimeout: 60_000, bodyTimeout: 60_000,
          headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body } : {}),
        });
        const text = await res.body.text();
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode < 200 || res.statusCode >= 300) {
          errors++;
          failed = true;
          if (res.statusCode >= 500 && !text.includes('"gateway_code"')) errorsBy.mlflow++;
          else errorsBy.gateway++;
          if (errorExamples.length < 10) errorExamples.push(`${op} ${credentialName} → ${res.statusCode} ${text.slice(0, 200)}`);
        }
      } catch (err) {
        errors++;
        failed = true;
        errorsBy.connection++;
        statuses.connection_error = (statuses.connection_error ?? 0) + 1;
        if (errorExamples.length < 10) errorExamples.push(`${op} ${credentialName} → ${(err as { code?: string }).code ?? (err as Error).message}`);
      }
      const done = performance.now();
      latencies.push(done - t0);
      const second = Math.floor((done - started) / 1000);
      (bySecond[second] ??= []).push(done - t0);
      if (failed) errorsBySecond[second] = (errorsBySecond[second] ?? 0) + 1;
      byOperation[op] = (byOperation[op] ?? 0) + 1;
      byCredential[credentialName] = (byCredential[credentialName] ?? 0) + 1;
    }
  }

  try {
    await Promise.all(Array.from({ length: opts.clients }, (_, i) => client(i)));
  } finally {
    clearInterval(sampler);
    await dispatcher.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const timeline = Array.from({ length: bySecond.length }, (_, i) => {
    const list = (bySecond[i] ?? []).sort((a, b) => a - b);
    const at = (p: number) => Math.round((list[Math.min(list.length - 1, Math.floor(p * list.length))] ?? NaN) * 10) / 10;
    return { second: i, requests: list.length, p50: at(0.5), p99: at(0.99), errors: errorsBySecond[i] ?? 0, load1: Math.round((loads[Math.min(i, loads.length - 1)] ?? NaN) * 100) / 100 };
  });
  latencies.sort((a, b) => a - b);
  const q = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0);
  const third = Math.max(1, Math.floor(rssMiB.length / 3));
  const firstThirdMaxMiB = Math.max(...rssMiB.slice(0, third));
  const lastThirdMaxMiB = Math.max(...rssMiB.slice(-third));
  return {
    clients: opts.clients, seconds, requests: latencies.length, perSecond: latencies.length / seconds,
    byOperation, byCredential, statuses, errors, errorsBy, errorExamples,
    latencyMs: { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: Math.round(latencies.at(-1) ?? 0) },
    rssMiB: rssMiB.map((m) => Math.round(m)),
    timeline,
    rss: { firstThirdMaxMiB: Math.round(firstThirdMaxMiB), lastThirdMaxMiB: Math.round(lastThirdMaxMiB), growthMiB: Math.round(lastThirdMaxMiB - firstThirdMaxMiB) },
  };
}

/**
 * The pass criteria shared by the CI test and `npm run bench:load`: no connection error, no error of
 * the gateway's own, MLflow's own 5xx (its SQLite backend under concurrent writes) at most
 * `mlflowErrorShare` of requests (1 %; 0 with MLflow on PostgreSQL), and RSS flat (last third's
 * max ≤ first third's max + band). Empty when passed.
 */
export function verdict(r: LoadReport, rssBandMiB: number, mlflowErrorShare = 0.01): string[] {
  const problems: string[] = [];
  if (r.errorsBy.connection > 0) problems.push(`${r.errorsBy.connection} connection errors`);
  if (r.errorsBy.gateway > 0) problems.push(`${r.errorsBy.gateway} errors answered by the gateway`);
  if (r.errorsBy.mlflow > r.requests * mlflowErrorShare) problems.push(`${r.errorsBy.mlflow} MLflow 5xx passed through (over ${mlflowErrorShare * 100} % of ${r.requests})`);
  if (r.rss.lastThirdMaxMiB > r.rss.firstThirdMaxMiB + rssBandMiB) problems.push(`RSS grew ${r.rss.growthMiB} MiB (band ${rssBandMiB} MiB)`);
  return problems;
}

/** One line for logs and the closing note. */
export function summarize(r: LoadReport): string {
  return `${r.clients} clients × ${r.seconds.toFixed(0)} s: ${r.requests} requests (${r.perSecond.toFixed(0)}/s; ${JSON.stringify(r.byOperation)}; ${JSON.stringify(r.byCredential)}), `
    + `errors ${r.errors} (connection ${r.errorsBy.connection}, gateway ${r.errorsBy.gateway}, MLflow's own 5xx ${r.errorsBy.mlflow}), statuses ${JSON.stringify(r.statuses)}, latency p50 ${r.latencyMs.p50} ms p95 ${r.latencyMs.p95} ms p99 ${r.latencyMs.p99} ms max ${r.latencyMs.max} ms; `
    + `gateway RSS first-third max ${r.rss.firstThirdMaxMiB} MiB, last-third max ${r.rss.lastThirdMaxMiB} MiB (growth ${r.rss.growthMiB} MiB; samples ${r.rssMiB.length})`;
}
