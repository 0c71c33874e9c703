// A throwaway Redis server for one test file: Debian's redis-server, 127.0.0.1 on a free port, no
// persistence. Fault tests kill (SIGKILL) and restart it on the same port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from '../../src/devtools/mlflow.js';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Clean shutdown. */
  stop(): Promise<void>;
  /** SIGKILL (a crash, as far as clients can tell). */
  kill(): Promise<void>;
  /** Start again on the same port (empty: nothing was persisted). */
  restart(): Promise<void>;
}

function redisServerBinary(): string | undefined {
  const bin = process.env.REDIS_SERVER ?? 'redis-server';
  return spawnSync(bin, ['--version'], { encoding: 'utf8' }).status === 0 ? bin : undefined;
}

/**
 * Whether Redis tests can run. An absent redis-server skips them with a visible message locally;
 * under CI (CI=1, set by .ci/run) they fail instead, so CI never passes by skipping.
 */
export function redisAvailable(): boolean {
  if (redisServerBinary()) return true;
  const why = 'redis-server not found on PATH (or REDIS_SERVER); install Debian\'s redis-server package';
  if (process.env.CI) throw new Error(`${why}: Redis tests must run under CI`);
  console.warn(`[skip] ${why}; skipping Redis tests`);
  return false;
}

async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server exited during start-up:\n${log()}`);
    const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return;
    } catch {
      client.disconnect();
    }
    if (Date.now() > deadline) throw new Error(`redis-server did not become ready in ${timeoutMs} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRedis(): Promise<RedisServer> {
  const bin = redisServerBinary();
  if (!bin) throw new Error('redis-server not found');
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';

  async function launch(): Promise<void> {
    output = '';
    // No persistence, no protected-mode surprises, loopback only; the config comes on the command line.
    child = spawn(bin!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await waitReady(url, child, () => output);
  }

  async function ended(c: ChildProcess, signal: NodeJS.Signals): Promise<void> {
    if (c.exitCode !== null || c.signalCode !== null) return;
    const done = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(signal);
    await done;
  }

  await launch();
  return {
    url, port,
    async stop() {
      if (child) await ended(child, 'SIGTERM');
      child = undefined;
    },
    async kill() {
      if (child) await ended(child, 'SIGKILL');
      child = undefined;
    },
    async restart() {
      if (child) await ended(child, 'SIGKILL');
      await launch();
    },
  };
}
