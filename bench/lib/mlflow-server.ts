import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../src/devtools/mlflow.js';

// Starts `mlflow server` from a given venv (the project's, or the peers' venv), optionally as an
// auth app (`--app-name basic-auth | oidc-auth`). Several servers may share one backend store
// (same MLflow version): the plain server, MLflow basic-auth and mlflow-oidc-auth then see the same
// experiments, runs and artifacts, so every target of a benchmark reads and writes the same data.

export interface BenchMlflow {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface BenchMlflowOptions {
  name: string;
  venv: string;
  /** Shared backend: <dataDir>/mlflow.db and <dataDir>/mlartifacts. */
  dataDir: string;
  appName?: string;
  /** Chosen in advance when the server's own URL goes into its settings (OIDC redirect URI). */
  port?: number;
  env?: Record<string, string>;
  startTimeoutMs?: number;
  /** Where the server's output goes (default: only the last lines are kept, for error messages). */
  logFile?: string;
}

export async function startBenchMlflow(opts: BenchMlflowOptions): Promise<BenchMlflow> {
  mkdirSync(opts.dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const args = [
    'server', '--host', '127.0.0.1', '--port', String(port), '--workers', '1',
    '--backend-store-uri', `sqlite:///${join(opts.dataDir, 'mlflow.db')}`,
    '--serve-artifacts', '--artifacts-destination', join(opts.dataDir, 'mlartifacts'),
    ...(opts.appName ? ['--app-name', opts.appName] : []),
  ];
  const tail: string[] = [];
  const logFd = opts.logFile ? openSync(opts.logFile, 'a') : undefined;
  const child = spawn(join(opts.venv, 'bin/mlflow'), args, {
    env: {
      ...process.env, MLFLOW_ENABLE_TELEMETRY: 'false', DO_NOT_TRACK: 'true', PYTHONUNBUFFERED: '1',
      // No background job runners (huey consumers): they serve no request and only take CPU from the
      // two cores every process of a run shares.
      MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
      // MLflow's default pool (5 + 10 overflow) deadlocks under 32 concurrent log-batch calls: each
      // holds one connection while waiting for a second, until the 30 s pool timeout. Every server
      // of the run (direct and peers) gets room for its 40 request threads.
      MLFLOW_SQLALCHEMYSTORE_POOL_SIZE: '40',
      MLFLOW_SQLALCHEMYSTORE_MAX_OVERFLOW: '40',
      ...opts.env,
    },
    stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
    detached: true, // own process group, so that stop() also ends uvicorn's workers and job runners
  });
  const keep = (b: Buffer) => {
    for (const line of b.toString('utf8').split('\n')) {
      if (!line) continue;
      tail.push(line);
      if (tail.length > 60) tail.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  if (logFd !== undefined) {
    closeSync(logFd);
    tail.push(`(output in ${opts.logFile})`);
  }
  let exited = false;
  const exit = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));
  const stop = () => stopGroup(child, exit);

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 180_000);
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`${opts.name}: MLflow exited during start-up:\n${tail.join('\n')}`);
    }
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${opts.name}: MLflow did not become healthy at ${url}:\n${tail.join('\n')}`);
    }
    await sleep(250);
  }
  return { name: opts.name, url, pid: child.pid ?? 0, stop };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function stopGroup(child: ChildProcess, exit: Promise<void>): Promise<void> {
  signalGroup(child, 'SIGTERM');
  const graceEnd = Date.now() + 5000;
  await Promise.race([exit, sleep(5000)]);
  while (groupAlive(child) && Date.now() < graceEnd) await sleep(100);
  if (!groupAlive(child)) return;
  signalGroup(child, 'SIGKILL');
  const killEnd = Date.now() + 2000;
  while (groupAlive(child) && Date.now() < killEnd) await sleep(50);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function groupAlive(child: ChildProcess): boolean {
  try {
    if (!child.pid) return false;
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}
