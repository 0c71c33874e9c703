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
  port?: number;
  dataDir?: string;
  workers?: number;
  /** Extra `mlflow server` arguments. */
  args?: string[];
  /** Extra environment for the server. */
  env?: Record<string, string>;
  /** Where the server's output goes (default: discarded, last lines kept for error messages). */
  onOutput?: (line: string) => void;
  startTimeoutMs?: number;
}

export async function startMlflow(opts: MlflowOptions = {}): Promise<MlflowServer> {
  const venv = ensureMlflowVenv();
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'mlflow-'));
  const args = [
    'server', '--host', '127.0.0.1', '--port', String(port), '--workers', String(opts.workers ?? 1),
    '--backend-store-uri', `sqlite:///${join(dataDir, 'mlflow.db')}`,
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
  let exited = false;
  child.on('exit', () => (exited = true));

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 120_000);
  while (true) {
    if (exited) throw new Error(`MLflow exited during start-up:\n${tail.join('\n')}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      killGroup(child);
      throw new Error(`MLflow did not become healthy at ${url}:\n${tail.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url, port, dataDir, venv,
    async stop() {
      if (exited) return;
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await done;
      clearTimeout(timer);
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
