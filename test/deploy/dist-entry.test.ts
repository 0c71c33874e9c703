import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { TEST_SECRET } from '../support/stack.js';

// The production entry as the container image runs it: the bundle in dist/bundle/ on plain Node (no tsx),
// the image's HEALTHCHECK script, and a clean exit on SIGTERM. IdP and MLflow point at a closed
// port: liveness and start-up need neither.
const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, 'bin/mlflow-oidc-gateway.js');
const HEALTHCHECK = resolve(ROOT, 'deploy/docker/healthcheck.mjs');
const run = promisify(execFile);

const env = (extra: Record<string, string>): Record<string, string> => ({
  PATH: process.env.PATH ?? '',
  MLFLOW_UPSTREAM_URL: 'http://127.0.0.1:9',
  GATEWAY_SECRET: TEST_SECRET,
  OIDC_ISSUER: 'http://127.0.0.1:9/idp',
  OIDC_CLIENT_ID: 'mlflow-gateway',
  GATEWAY_DATABASE_URL: 'sqlite::memory:',
  GATEWAY_PORT: '0',
  ...extra,
});

/** The port `serve` logs once it listens. */
function listeningPort(child: ChildProcessByStdio<null, Readable, Readable>, exited: Promise<number | null>): Promise<string> {
  return new Promise<string>((found, failed) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /"event":"listening","address":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(out);
      if (m?.[1]) found(m[1]);
    });
    void exited.then((code) => failed(new Error(`gateway exited ${code} before listening: ${out}`)));
  });
}

describe('production entry (bundled dist, no tsx)', () => {
  beforeAll(async () => {
    await run(process.execPath, [resolve(ROOT, 'scripts/bundle.mjs')], { cwd: ROOT });
  });

  it('serves /_gateway/healthz under the mount, passes the image HEALTHCHECK, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve'], { cwd: ROOT, env: env({ GATEWAY_PUBLIC_URL: 'http://127.0.0.1:8080/mlflow' }), stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    try {
      const port = await listeningPort(child, exited);
      const res = await fetch(`http://127.0.0.1:${port}/mlflow/_gateway/healthz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });

      const probe = (extra: Record<string, string>) =>
        run(process.execPath, [HEALTHCHECK], { env: { PATH: process.env.PATH ?? '', ...extra } }).then(() => 0, (err: { code?: number }) => err.code ?? -1);
      expect(await probe({ GATEWAY_PORT: port, GATEWAY_PUBLIC_URL: 'https://ml.example.com/mlflow/' })).toBe(0);
      // Unhealthy answers fail the check: the wrong mount (404) and a closed port.
      expect(await probe({ GATEWAY_PORT: port, GATEWAY_PUBLIC_URL: 'https://ml.example.com/' })).toBe(1);
      expect(await probe({ GATEWAY_PORT: '9', GATEWAY_PUBLIC_URL: 'https://ml.example.com/mlflow' })).toBe(1);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('reports configuration problems and exits 2', async () => {
    const result = await run(process.execPath, [BIN, 'config', 'check'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('GATEWAY_PUBLIC_URL is required');
  });

  // The bundle's whole request path (kysely on a SQLite file, the token check, the grant lookup,
  // reply-from over undici to the suite's real MLflow) and the admin CLI's (its store and logger are
  // loaded lazily: a dynamic import of a bundled CommonJS package has only a default export).
  it('runs the admin CLI on a SQLite file, then proxies a personal token\'s authorized call to MLflow', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dist-entry-'));
    const e = env({ MLFLOW_UPSTREAM_URL: inject('mlflowUrl'), GATEWAY_PUBLIC_URL: 'http://127.0.0.1:8080', GATEWAY_DATABASE_URL: `sqlite:${join(dir, 'gateway.db')}` });
    const cli = async (...args: string[]) => (await run(process.execPath, [BIN, ...args], { cwd: ROOT, env: e })).stdout;
    try {
      await cli('service-accounts', 'create', 'dist-entry-bot');
      const { token } = JSON.parse(await cli('service-accounts', 'token', 'dist-entry-bot', '--name', 'check', '--json')) as { token: string };
      await cli('grants', 'set', '--user', 'dist-entry-bot', '--resource-type', 'experiment', '--resource-id', '0', '--level', 'READ');
      const child = spawn(process.execPath, [BIN, 'serve'], { cwd: ROOT, env: e, stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      try {
        const url = `http://127.0.0.1:${await listeningPort(child, exited)}/api/2.0/mlflow/experiments/get?experiment_id=0`;
        const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { experiment: { experiment_id: string } }).experiment.experiment_id).toBe('0');
        expect((await fetch(url)).status).toBe(401);
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      } finally {
        child.kill('SIGKILL');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
