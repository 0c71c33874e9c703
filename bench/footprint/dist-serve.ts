import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageNodeOptions } from '../lib/image-node-options.js';
import { memoryOf } from '../lib/procfs.js';

// The production entry (compiled dist/ on plain Node, `bin/mlflow-oidc-gateway.js serve`) as a user
// starts it: default settings, a SQLite store, IdP and MLflow on a closed port (start-up needs
// neither). Measures spawn → the "listening" log line, and RSS when listening and after an idle wait.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = resolve(ROOT, 'bin/mlflow-oidc-gateway.js');

export interface DistStart {
  /** Parent's view: spawn() → the "listening" line on stdout (ms). */
  spawnToListeningMs: number;
  /** VmRSS right after listening and after `idleMs` (bytes). */
  rssListening: number;
  rssIdle: number;
}

export async function startDistServe(opts: { storeUrl: string; idleMs: number; nodeArgs?: string[] }): Promise<DistStart> {
  const started = performance.now();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      MLFLOW_UPSTREAM_URL: 'http://127.0.0.1:9',
      OIDC_ISSUER: 'http://127.0.0.1:9/idp',
      OIDC_CLIENT_ID: 'mlflow-gateway',
      GATEWAY_SECRET: 'footprint-secret-0123456789-abcdefghijklmnopqrstuv',
      GATEWAY_PUBLIC_URL: 'http://127.0.0.1:8080',
      GATEWAY_DATABASE_URL: opts.storeUrl,
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: '0',
      // As the container image starts it (bench/lib/image-node-options.ts); BENCH_NODE_OPTIONS overrides (e.g. '' for Node's defaults).
      NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? imageNodeOptions(),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    const spawnToListeningMs = await new Promise<number>((ok, fail) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('"event":"listening"')) ok(performance.now() - started);
      });
      void exited.then(() => fail(new Error(`serve exited before listening: ${out.slice(0, 2000)}`)));
    });
    const rssListening = memoryOf(child.pid!).rss;
    await new Promise((r) => setTimeout(r, opts.idleMs));
    const rssIdle = memoryOf(child.pid!).rss;
    return { spawnToListeningMs, rssListening, rssIdle };
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    child.kill('SIGKILL');
  }
}
