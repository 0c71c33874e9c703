// `npm run bench:load [-- --seconds=60 --clients=200]` — a bounded load run: the gateway as its own
// process in front of a real MLflow (started here, or MLFLOW_URL), 200 concurrent clients for 60 s
// on 127.0.0.1 with personal tokens and IdP JWTs (bench/load/engine.ts). Prints throughput, latency,
// status counts and the gateway's RSS every second; exits 1 when engine.ts's verdict() fails.
import { startMlflow, type MlflowServer } from '../src/devtools/mlflow.js';
import { prepareLoad, runLoad, summarize, verdict } from './load/engine.js';
import { startGatewayProcess } from './load/gateway-process.js';

const arg = (name: string, fallback: number) => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  const n = found ? Number(found.slice(name.length + 3)) : fallback;
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
};
const seconds = Math.min(arg('seconds', 60), 1800);
const clients = Math.min(arg('clients', 200), 2000);
const RSS_BAND_MIB = 64;

let mlflow: MlflowServer | undefined;
const mlflowUrl = process.env.MLFLOW_URL ?? (mlflow = await startMlflow({ workers: 2, env: { MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' } })).url;
const gw = await startGatewayProcess(mlflowUrl, { LOG_LEVEL: 'warn' });
let failed = true;
try {
  const fixtures = await prepareLoad(gw);
  try {
    console.log(`load: ${clients} clients for ${seconds} s against ${gw.gatewayUrl} → ${mlflowUrl}`);
    const report = await runLoad({ gw, clients, durationMs: seconds * 1000, fixtures });
    console.log(summarize(report));
    console.log(`gateway RSS per second (MiB): ${report.rssMiB.join(' ')}`);
    for (const e of report.errorExamples) console.log(`error: ${e}`);
    const problems = verdict(report, RSS_BAND_MIB);
    failed = problems.length > 0;
    console.log(failed ? `FAILED: ${problems.join('; ')}` : `OK: no connection or gateway errors, RSS within +${RSS_BAND_MIB} MiB`);
  } finally {
    fixtures.stop();
  }
} finally {
  await gw.stop();
  await mlflow?.stop();
}
process.exit(failed ? 1 : 0);
