import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSecondsOf, memoryOf } from './procfs.js';
import { imageNodeOptions } from './image-node-options.js';

// Parent side of gateway-child.ts: spawns the gateway as its own Node process, waits for it to
// listen, forwards grant commands over IPC, and reads its RSS and CPU time from /proc.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface StartupTimings {
  /** Node + tsx start-up, from process start to the child's first line of code. */
  bootMs: number;
  /** Importing the gateway's modules. */
  importMs: number;
  /** loadConfig + buildServer (store open and migrated, routes registered). */
  buildMs: number;
  listenMs: number;
  /** Child's own view: process start → listening. */
  totalMs: number;
  /** Parent's view: spawn() → ready message. */
  spawnToReadyMs: number;
}

export interface GatewayProcess {
  readonly url: string;
  readonly pid: number;
  readonly timings: StartupTimings;
  grant(username: string, resourceType: string, resourceId: string, level: string): Promise<void>;
  memory(): { rss: number; peak: number };
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export interface GatewayProcessOptions {
  /** Gateway settings (MLFLOW_UPSTREAM_URL, GATEWAY_PUBLIC_URL, OIDC_*…). */
  env: Record<string, string>;
  /** Gateway log (JSON lines) goes here. */
  logFile: string;
  /** Write a V8 CPU profile (node --cpu-prof) into this directory when the process exits. */
  cpuProfDir?: string;
  startTimeoutMs?: number;
}

export async function startGatewayProcess(opts: GatewayProcessOptions): Promise<GatewayProcess> {
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const log = openSync(opts.logFile, 'a');
  const nodeArgs = ['--import', 'tsx'];
  if (opts.cpuProfDir) {
    mkdirSync(opts.cpuProfDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`);
  }
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, join(ROOT, 'bench/lib/gateway-child.ts')], {
    cwd: ROOT,
    // The image's Node options (bench/lib/image-node-options.ts): the bench measures what the image runs.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', NODE_OPTIONS: imageNodeOptions(), ...opts.env },
    stdio: ['ignore', log, log, 'ipc'],
  });
  closeSync(log);

  let nextId = 1;
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let exited = false;
  const exit = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));

  const ready = await new Promise<{ url: string; timings: Omit<StartupTimings, 'spawnToReadyMs'> }>((resolveReady, rejectReady) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rejectReady(new Error(`gateway did not start within ${opts.startTimeoutMs ?? 60_000} ms; see ${opts.logFile}`));
    }, opts.startTimeoutMs ?? 60_000);
    child.on('message', (raw: unknown) => {
      const msg = raw as { op: string; id?: number; error?: string; url?: string; timings?: Omit<StartupTimings, 'spawnToReadyMs'> };
      if (msg.op === 'ready') {
        clearTimeout(timer);
        resolveReady({ url: msg.url!, timings: msg.timings! });
      } else if (msg.op === 'done' && msg.id !== undefined) {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error));
        else p?.resolve();
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      rejectReady(new Error(`gateway exited during start-up; see ${opts.logFile}`));
      for (const p of pending.values()) p.reject(new Error('gateway exited'));
    });
  });
  const spawnToReadyMs = performance.now() - started;

  const command = (msg: Record<string, string>) =>
    new Promise<void>((res, rej) => {
      if (exited) return rej(new Error('gateway process has exited'));
      const id = nextId++;
      pending.set(id, { resolve: res, reject: rej });
      child.send({ ...msg, id });
    });

  const pid = child.pid!;
  return {
    url: ready.url,
    pid,
    timings: { ...ready.timings, spawnToReadyMs },
    grant: (username, resourceType, resourceId, level) => command({ op: 'grant', username, resourceType, resourceId, level }),
    memory: () => memoryOf(pid),
    cpuSeconds: () => cpuSecondsOf(pid),
    async stop() {
      if (exited) return;
      // A clean exit (not a signal) lets node write the --cpu-prof file.
      await Promise.race([command({ op: 'stop' }).catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
      await Promise.race([exit, new Promise((r) => setTimeout(r, 10_000))]);
      if (!exited) {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };
}
