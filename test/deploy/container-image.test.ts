import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startDemoIdp, type DemoIdp } from '../../src/devtools/idp/index.js';
import { freePort } from '../../src/devtools/mlflow.js';
import { CLIENT_ID, CLIENT_SECRET, demoIdpEnv } from '../support/stack.js';

// The container image built from the project's Dockerfile (scripts/build-image.sh, which .ci/run calls with
// --local-base on these Docker-less machines), run as a hardened runtime would run it
// (scripts/run-image.sh): read-only root file system, tmpfs /data and /tmp, the image's own user, env and
// entry point. It must serve /_gateway/healthz, proxy an authorized MLflow call to the suite's real MLflow
// with a real IdP token, pass its own HEALTHCHECK, and stop cleanly on SIGTERM.
const ROOT = resolve(import.meta.dirname, '../..');
const IMAGE = process.env.GATEWAY_TEST_IMAGE ?? 'localhost/mlflow-oidc-gateway:dev';
const run = promisify(execFile);

function imagePresent(): boolean {
  try {
    execFileSync('buildah', ['inspect', '--type', 'image', IMAGE], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const present = imagePresent();
if (!present) {
  const why = `no image ${IMAGE} (build it with: bash scripts/build-image.sh --local-base)`;
  if (process.env.CI) throw new Error(`${why}: the container image test must run under CI`);
  console.warn(`[skip] ${why}`);
}

interface DockerConfig { User: string; Entrypoint: string[]; Healthcheck: { Test: string[] }; Volumes: Record<string, unknown> }
const imageConfig = (): DockerConfig =>
  (JSON.parse(execFileSync('buildah', ['inspect', '--type', 'image', IMAGE], { encoding: 'utf8' })) as { Docker: { config: DockerConfig } }).Docker.config;

describe.skipIf(!present)('container image (buildah, read-only root, uid 1000)', () => {
  let idp: DemoIdp;
  let gateway: ChildProcess | undefined;
  let port = 0;
  let env: string[] = [];
  let output = '';

  beforeAll(async () => {
    port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    idp = await startDemoIdp({
      audience: 'mlflow-gateway',
      clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [`${publicUrl}/_gateway/callback`], grantTypes: ['authorization_code', 'refresh_token'] }],
    });
    const settings: Record<string, string> = {
      ...demoIdpEnv(idp.issuer),
      MLFLOW_UPSTREAM_URL: inject('mlflowUrl'),
      GATEWAY_PUBLIC_URL: publicUrl,
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_PORT: String(port),
    };
    env = Object.entries(settings).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
    gateway = spawn('bash', [resolve(ROOT, 'scripts/run-image.sh'), IMAGE, ...env], { stdio: ['ignore', 'pipe', 'pipe'] });
    gateway.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    gateway.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !output.includes('"event":"listening"')) {
      if (gateway.exitCode !== null) throw new Error(`the image exited ${gateway.exitCode}: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    if (!output.includes('"event":"listening"')) throw new Error(`the image did not start listening in 60 s: ${output}`);
  }, 120_000);

  afterAll(async () => {
    if (gateway && gateway.exitCode === null) gateway.kill('SIGKILL');
    await idp?.stop();
  });

  it('runs as uid 1000 with the HEALTHCHECK, entry point and volume the Dockerfile declares', () => {
    const config = imageConfig();
    expect(config.User).toBe('1000:1000');
    expect(config.Healthcheck.Test).toEqual(['CMD', 'node', '/app/bin/healthcheck.mjs']);
    expect(config.Entrypoint).toEqual(['node', '/app/bin/mlflow-oidc-gateway.js']);
    expect(Object.keys(config.Volumes)).toContain('/data');
  });

  it('serves /_gateway/healthz from a read-only root and passes its own HEALTHCHECK', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/_gateway/healthz`);
    expect(res.status).toBe(200);
    const probe = await run('bash', [resolve(ROOT, 'scripts/run-image.sh'), IMAGE, '--healthcheck', ...env]).then(() => 0, (e: { code?: number }) => e.code ?? -1);
    expect(probe).toBe(0);
  });

  it('cannot write outside /data and /tmp (the root file system is read-only)', async () => {
    const attempt = await run('bash', [resolve(ROOT, 'scripts/run-image.sh'), IMAGE, '--', 'node', '-e', "require('fs').writeFileSync('/app/x', 'x')"])
      .then(() => 'written', (e: { stderr?: string }) => e.stderr ?? '');
    expect(attempt).toMatch(/EROFS|read-only file system/i);
  });

  it('proxies an authorized MLflow call with a real IdP token, and refuses an anonymous one', async () => {
    const { access_token: token } = await idp.getTokens('admin');
    const ok = await fetch(`http://127.0.0.1:${port}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toHaveProperty('experiments');
    const anonymous = await fetch(`http://127.0.0.1:${port}/api/2.0/mlflow/experiments/search?max_results=1`);
    expect(anonymous.status).toBe(401);
  });

  it('exits 0 on SIGTERM (drains, then closes the store)', async () => {
    const exited = new Promise<number | null>((done) => gateway!.once('exit', (code) => done(code)));
    gateway!.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
