import { execFile, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
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

describe('production entry (bundled dist, no tsx)', () => {
  beforeAll(async () => {
    await run(process.execPath, [resolve(ROOT, 'scripts/bundle.mjs')], { cwd: ROOT });
  });

  it('serves /_gateway/healthz under the mount, passes the image HEALTHCHECK, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve'], { cwd: ROOT, env: env({ GATEWAY_PUBLIC_URL: 'http://127.0.0.1:8080/mlflow' }), stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    try {
      const port = await new Promise<string>((found, failed) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /"event":"listening","address":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(out);
          if (m?.[1]) found(m[1]);
        });
        void exited.then((code) => failed(new Error(`gateway exited ${code} before listening: ${out}`)));
      });
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
});
