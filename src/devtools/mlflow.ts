import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Runs the real MLflow tracking server from the project's pinned venv (scripts/mlflow-venv.sh).
// Used by the demo command, the integration tests and the benchmarks.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function pinnedMlflowVersion(): string {
  return readFileSync(join(ROOT, 'mlflow-version.txt'), 'utf8').trim();
}

/** Creates the venv on first use (progress goes to stderr) and returns its directory. */
export function ensureMlflowVenv(): string {
  const r = spawnSync('bash', [join(ROOT, 'scripts/mlflow-venv.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`could not prepare the MLflow venv (scripts/mlflow-venv.sh exited ${r.status})`);
  return r.stdout.trim().split('\n').pop()!;
}

/**
 * The venv of one tested MLflow version (scripts/mlflow-venvs.sh, pins in scripts/mlflow-pins.txt),
 * created on first use. The pinned version uses scripts/mlflow-venv.sh's venv (the same directory).
 */
export function ensureMlflowVenvFor(version: string): string {
  if (version === pinnedMlflowVersion()) return ensureMlflowVenv();
  const r = spawnSync('bash', [join(ROOT, 'scripts/mlflow-venvs.sh'), version], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`could not prepare the MLflow ${version} venv (scripts/mlflow-venvs.sh exited ${r.status})`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return line.slice(line.indexOf(' ') + 1);
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

export interface MlflowServer {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly venv: string;
  stop(): Promise<void>;
}

export interface MlflowOptions {
  /** A tested MLflow version other than the pinned one (its venv from scripts/mlflow-venvs.sh). */
  version?: string;
  /** Use this venv directly (e.g. the pinned MLflow with the basic-auth extra); takes precedence over `version`. */
  venv?: string;
  port?: number;
  dataDir?: string;
  workers?: number;
  /** MLflow's backend store (default: SQLite in dataDir); e.g. `postgresql://…` (psycopg2 is in the pinned venv). */
  backendStoreUri?: string;
  /** Extra `mlflow server` arguments. */
  args?: string[];
  /** Extra environment for the server. */
  env?: Record<string, string>;
  /** Where the server's output goes (default: discarded, last lines kept for error messages). */
  onOutput?: (line: string) => void;
  startTimeoutMs?: number;
  /** Aborting it during start-up stops the half-started server (the demo's Ctrl-C). */
  signal?: AbortSignal;
}

export async function startMlflow(opts: MlflowOptions = {}): Promise<MlflowServer> {
  const venv = opts.venv ?? (opts.version !== undefined ? ensureMlflowVenvFor(opts.version) : ensureMlflowVenv());
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'mlflow-'));
  const args = [
    'server', '--host', '127.0.0.1', '--port', String(port), '--workers', String(opts.workers ?? 1),
    '--backend-store-uri', opts.backendStoreUri ?? `sqlite:///${join(dataDir, 'mlflow.db')}`,
    '--serve-artifacts', '--artifacts-destination', join(dataDir, 'mlartifacts'),
    ...(opts.args ?? []),
  ];
  const tail: string[] = [];
  const child: ChildProcess = spawn(join(venv, 'bin/mlflow'), args, {
    env: { ...process.env, MLFLOW_ENABLE_TELEMETRY: 'false', DO_NOT_TRACK: 'true', PYTHONUNBUFFERED: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: stop() ends uvicorn's workers too
  });
  const onData = (b: Buffer) => {
    for (const line of b.toString('utf8').split('\n')) {
      if (!line) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      opts.onOutput?.(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<void>((r) => child.once('exit', () => r()));
  let exited = false;
  void exit.then(() => (exited = true));
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopGroup(child, exit));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 120_000);
  while (true) {
    if (exited) {
      await stop(); // the server process died, but its job runners may not have
      throw new Error(`MLflow exited during start-up:\n${tail.join('\n')}`);
    }
    if (opts.signal?.aborted) {
      await stop();
      throw new Error('MLflow start-up was cancelled');
    }
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`MLflow did not become healthy at ${url}:\n${tail.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, port, dataDir, venv, stop };
}

/**
 * Stops the server's whole process group. `mlflow server` exits before its job runners (huey
 * consumers) do, and those would outlive the caller as orphans, so this waits until the group is
 * empty: SIGTERM, a grace period, then SIGKILL.
 */
async function stopGroup(child: ChildProcess, exit: Promise<void>): Promise<void> {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  killGroup(child, 'SIGTERM');
  const graceEnd = Date.now() + 5000;
  await Promise.race([exit, sleep(5000)]);
  while (groupAlive(child) && Date.now() < graceEnd) await sleep(100);
  if (!groupAlive(child)) return;
  killGroup(child, 'SIGKILL');
  // Bounded: a member that stays a zombie (nobody reaps it) must not hang the caller.
  const killEnd = Date.now() + 2000;
  while (groupAlive(child) && Date.now() < killEnd) await sleep(50);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function groupAlive(child: ChildProcess): boolean {
  try {
    if (child.pid) process.kill(-child.pid, 0);
    return child.pid !== undefined;
  } catch {
    return false;
  }
}
