// One replica among several: `tsx src/cli/main.ts serve` in its own process, configured by
// environment variables only (PATH and HOME inherited), on a port the caller may choose (so one
// IdP can list every replica's callback). Unlike gateway-process.ts, it brings no IdP of its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort } from '../../src/devtools/mlflow.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');

export interface ReplicaProcess {
  readonly url: string;
  readonly port: number;
  /** Everything it printed (JSON log lines). */
  output(): string;
  stop(): Promise<void>;
}

/** `env` must hold everything but the port and public URL, which are chosen here. */
export async function startReplicaProcess(env: Record<string, string>, port?: number): Promise<ReplicaProcess> {
  const p = port ?? (await freePort());
  const url = `http://127.0.0.1:${p}`;
  let out = '';
  const child: ChildProcess = spawn(TSX, ['src/cli/main.ts', 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', GATEWAY_PORT: String(p), GATEWAY_PUBLIC_URL: url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway process exited (${child.exitCode}) during start-up:\n${out.slice(-4000)}`);
    const ok = await fetch(`${url}/_gateway/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway process not listening after 60 s:\n${out.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, port: p,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
