import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Parent side of the bench's small helper servers (fake-upstream-child.ts, bare-proxy-child.ts):
// each runs in its own Node process (tsx), reports its port in an IPC 'ready' message, and exits
// when the parent disconnects.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ChildServer {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startChildServer(script: string, env: Record<string, string>, name: string): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exit = new Promise<void>((r) => child.once('exit', () => r()));
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`${name} did not start`)), 60_000);
    child.on('message', (m: unknown) => {
      clearTimeout(timer);
      res((m as { port: number }).port);
    });
    void exit.then(() => rej(new Error(`${name} exited`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      if (child.connected) child.disconnect();
      await Promise.race([exit, new Promise((r) => setTimeout(r, 5000))]);
      child.kill('SIGKILL');
    },
  };
}
