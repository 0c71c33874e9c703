// `npm run bench:load [-- --seconds=60 --clients=200 --mlflow-store=sqlite|postgres --gateway-store=memory|postgres]`
// — a bounded load run: the gateway as its own process in front of a real MLflow (started here, or
// MLFLOW_URL), `clients` concurrent clients for `seconds` on 127.0.0.1 with personal tokens and IdP
// JWTs (bench/load/engine.ts). Prints throughput, latency, status counts and the gateway's RSS
// every second; writes bench/results/load-<mlflow store>.json and .svg (latency p50/p99 and RSS over
// time, with the machine's load average); exits 1 when engine.ts's verdict() fails.
// The soak: `npm run bench:load -- --clients=200 --seconds=300 --mlflow-store=postgres`.
// With MLflow on PostgreSQL (a throwaway server, psycopg2 in the pinned venv) the verdict is strict:
// zero errors of any kind; on SQLite, MLflow's own "database is locked" 5xx are tolerated up to 1 %.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startMlflow, type MlflowServer } from '../src/devtools/mlflow.js';
import { startPostgres, type PostgresServer } from '../test/support/postgres.js';
import { prepareLoad, runLoad, summarize, verdict } from './load/engine.js';
import { imageNodeOptions } from './lib/image-node-options.js';
import { startGatewayProcess } from './load/gateway-process.js';
import { loadPlotSvg } from './load/plot.js';

const arg = (name: string, fallback: number) => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  const n = found ? Number(found.slice(name.length + 3)) : fallback;
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
};
const choice = <T extends string>(name: string, allowed: readonly T[]): T => {
  const v = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? allowed[0]!;
  if (!allowed.includes(v as T)) throw new Error(`--${name} must be one of ${allowed.join(', ')}`);
  return v as T;
};
const seconds = Math.min(arg('seconds', 60), 1800);
const clients = Math.min(arg('clients', 200), 2000);
const mlflowStore = choice('mlflow-store', ['sqlite', 'postgres'] as const);
const gatewayStore = choice('gateway-store', ['memory', 'postgres'] as const);
const RSS_BAND_MIB = 64;
const ROOT = resolve(import.meta.dirname, '..');
// MLflow's own output, so that a 5xx it answered can be explained (its traceback is there).
const mlflowLog = join(tmpdir(), `bench-load-mlflow-${process.pid}.log`);

let postgres: PostgresServer | undefined;
let mlflow: MlflowServer | undefined;
if ((mlflowStore === 'postgres' || gatewayStore === 'postgres') && !process.env.MLFLOW_URL) postgres = await startPostgres();
const mlflowUrl = process.env.MLFLOW_URL ?? (mlflow = await startMlflow({
  workers: 2,
  // SQLAlchemy 2.1 reads plain postgresql:// as psycopg 3: name the psycopg2 driver the venv has.
  // MLflow serves each worker's requests from a thread pool (40 threads): a smaller connection pool makes
  // requests wait for a connection and fail after SQLAlchemy's pool timeout. 2 workers × (40 + 20) stay
  // below the PostgreSQL server's 200 connections.
  ...(mlflowStore === 'postgres' && postgres ? { backendStoreUri: (await postgres.createDatabase('mlflow')).replace(/^postgres:/, 'postgresql+psycopg2:') } : {}),
  env: { MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false', MLFLOW_SQLALCHEMYSTORE_POOL_SIZE: '40', MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW: '20' },
  onOutput: (line) => appendFileSync(mlflowLog, `${line}\n`),
})).url;
const gw = await startGatewayProcess(mlflowUrl, {
  LOG_LEVEL: 'warn',
  // The container image's V8 settings (bench/lib/image-node-options.ts): the soak's RSS is the image's.
  NODE_OPTIONS: imageNodeOptions(),
  ...(gatewayStore === 'postgres' && postgres ? { GATEWAY_DATABASE_URL: await postgres.createDatabase('gateway') } : {}),
});
let failed = true;
try {
  const fixtures = await prepareLoad(gw);
  try {
    const loadStart = loadavg().map((x) => Math.round(x * 100) / 100);
    console.log(`load: ${clients} clients for ${seconds} s against ${gw.gatewayUrl} → ${mlflowUrl} (MLflow store ${mlflowStore}, gateway store ${gatewayStore}); load average ${loadStart.join(' / ')}`);
    const report = await runLoad({ gw, clients, durationMs: seconds * 1000, fixtures });
    const loadEnd = loadavg().map((x) => Math.round(x * 100) / 100);
    console.log(summarize(report));
    console.log(`gateway RSS per second (MiB): ${report.rssMiB.join(' ')}`);
    console.log(`load average at the start ${loadStart.join(' / ')}, at the end ${loadEnd.join(' / ')}`);
    for (const e of report.errorExamples) console.log(`error: ${e.replace(/\s+/g, ' ').slice(0, 300)}`);
    if (report.errors > 0 && mlflow) console.log(`MLflow's output (tracebacks of its 5xx): ${mlflowLog}`);
    // On PostgreSQL nothing excuses an error; on SQLite, MLflow's own write-lock 5xx up to 1 %.
    const problems = verdict(report, RSS_BAND_MIB, mlflowStore === 'postgres' ? 0 : 0.01);
    failed = problems.length > 0;
    console.log(failed ? `FAILED: ${problems.join('; ')}` : `OK: ${mlflowStore === 'postgres' ? 'zero errors' : 'no connection or gateway errors'}, RSS within +${RSS_BAND_MIB} MiB`);
    const dir = join(ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const name = `load-${mlflowStore}`;
    const title = `${clients} clients × ${Math.round(report.seconds)} s, MLflow on ${mlflowStore === 'postgres' ? 'PostgreSQL' : 'SQLite'}: ${report.requests} requests, ${report.errors} errors, p50 ${report.latencyMs.p50} ms, p99 ${report.latencyMs.p99} ms, load avg ${loadStart[0]}→${loadEnd[0]}`;
    writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({
      when: new Date().toISOString(), node: process.version, mlflowStore, gatewayStore,
      loadAverage: { start: loadStart, end: loadEnd }, verdict: problems, ...report,
    }, null, 2)}\n`);
    writeFileSync(join(dir, `${name}.svg`), loadPlotSvg(report, title));
    console.log(`wrote bench/results/${name}.json and ${name}.svg`);
  } finally {
    fixtures.stop();
  }
} finally {
  await gw.stop();
  await mlflow?.stop();
  await postgres?.stop();
}
process.exit(failed ? 1 : 0);
