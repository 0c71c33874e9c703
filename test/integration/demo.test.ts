import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from '../support/http-browser.js';

// The README's first command, run as a user would (`mlflow-oidc-gateway demo`), on free ports and in
// a scratch directory: it must print where to go and who to sign in as, serve a real sign-in, and
// leave nothing behind when stopped.
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');

/** Processes whose command line mentions `needle` (Linux /proc; empty elsewhere). */
function processesMentioning(needle: string): string[] {
  if (!existsSync('/proc')) return [];
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(needle)) found.push(`${pid}: ${cmd.slice(0, 200)}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

describe('npm run demo', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'gateway-demo-'));
  let demo: ChildProcess | undefined;
  let output = '';
  afterAll(async () => {
    if (demo && demo.exitCode === null && demo.signalCode === null) {
      demo.kill('SIGTERM');
      await new Promise((r) => demo!.once('exit', r));
    }
    rmSync(workDir, { recursive: true, force: true });
  });

  it('prints the URL and the demo sign-ins, signs alice in, and stops everything on SIGTERM', async () => {
    demo = spawn(TSX, [join(ROOT, 'src/cli/main.ts'), 'demo', '--port', '0'], {
      cwd: workDir,
      // MLflow's job runners (huey) roughly double its start-up and are not what this test is about;
      // stopping them without orphans was checked by hand (`npm run demo`, then Ctrl-C / SIGTERM).
      env: { ...process.env, LOG_LEVEL: 'warn', MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => demo!.once('exit', (code) => r(code)));
    demo.stdout!.on('data', (b: Buffer) => (output += b.toString('utf8')));
    demo.stderr!.on('data', (b: Buffer) => (output += b.toString('utf8')));
    await new Promise<void>((ready, fail) => {
      const check = () => {
        if (output.includes('Stop with Ctrl-C.')) ready();
        else if (demo!.exitCode !== null) fail(new Error(`demo exited ${demo!.exitCode}:\n${output}`));
        else setTimeout(check, 100);
      };
      check();
    });

    const url = /MLflow behind the gateway:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(output)?.[1];
    expect(url, output).toBeDefined();
    expect(output).toMatch(/alice\s+\/ alice-pass\s+\/ team-a/);
    expect(output).toMatch(/admin\s+\/ admin-pass\s+\/ mlflow-admins/);
    const mlflowUrl = /MLflow is up at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    expect(mlflowUrl).toBeDefined();

    const browser = new HttpBrowser();
    const loginPage = await browser.follow(`${url}/`);
    expect(loginPage.response.status).toBe(200);
    const signedIn = await browser.submitForm(loginPage.url, await loginPage.response.text(), { username: 'alice', password: 'alice-pass' });
    expect(signedIn.url).toBe(`${url}/`);
    expect(signedIn.response.status).toBe(200);
    const who = await browser.get(`${url}/_gateway/api/v1/whoami`);
    expect(await who.json()).toMatchObject({ username: 'alice', groups: ['team-a'] });
    expect(processesMentioning(workDir).length).toBeGreaterThan(0); // MLflow runs with its data there

    demo.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(processesMentioning(workDir)).toEqual([]);
    await expect(fetch(`${mlflowUrl}/health`)).rejects.toThrow();
    await expect(fetch(`${url}/_gateway/healthz`)).rejects.toThrow();
  }, 120_000);
});
