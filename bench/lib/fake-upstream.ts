import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Parent side of fake-upstream-child.ts.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface FakeUpstream {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** `canned`: "METHOD /path" → exact response body. */
export async function startFakeUpstream(canned: Record<string, string>, workDir: string): Promise<FakeUpstream> {
  const file = join(workDir, 'fake-upstream-canned.json');
  writeFileSync(file, JSON.stringify(canned));
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/lib/fake-upstream-child.ts')], {
    cwd: ROOT, env: { PATH: process.env.PATH ?? '', BENCH_CANNED_FILE: file }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exit = new Promise<void>((r) => child.once('exit', () => r()));
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => rej(new Error('fake upstream did not start')), 30_000);
    child.on('message', (m: unknown) => {
      clearTimeout(timer);
      res((m as { port: number }).port);
    });
    void exit.then(() => rej(new Error('fake upstream exited')));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      child.disconnect();
      await Promise.race([exit, new Promise((r) => setTimeout(r, 5000))]);
      child.kill('SIGKILL');
    },
  };
}
