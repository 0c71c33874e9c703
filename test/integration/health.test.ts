import { afterAll, describe, expect, it } from 'vitest';
import { freePort, pinnedMlflowVersion, startMlflow } from '../../src/devtools/mlflow.js';
import { startStack, type Stack } from '../support/stack.js';

// Liveness answers as long as the process does; readiness names each dependency it checked.
interface Readiness {
  status: string;
  draining: boolean;
  checks: { name: string; ok: boolean; error?: string }[];
  mlflow: { version: string; detected: boolean; supported: boolean };
}

describe('health endpoints', () => {
  const stacks: Stack[] = [];
  afterAll(async () => Promise.all(stacks.map((s) => s.stop())));
  const start = async (...args: Parameters<typeof startStack>) => {
    const stack = await startStack(...args);
    stacks.push(stack);
    return stack;
  };

  it('healthz and readyz answer 200 without credentials when store, IdP and MLflow are up', async () => {
    const stack = await start({ basePath: '/mlflow' });
    const live = await fetch(`${stack.gatewayUrl}/_gateway/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${stack.gatewayUrl}/_gateway/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as Readiness;
    expect(body).toMatchObject({ status: 'ready', draining: false });
    expect(body.checks).toEqual([{ name: 'store', ok: true }, { name: 'idp', ok: true }, { name: 'upstream', ok: true }]);
    // The version read from MLflow's /version at start-up (the suite's MLflow is the pinned one).
    expect(body.mlflow).toEqual({ version: pinnedMlflowVersion(), detected: true, supported: true });
  });

  it('readyz answers 503 naming the upstream check when MLflow is down, while healthz stays 200', async () => {
    const closedPort = await freePort();
    const stack = await start({ upstreamUrl: `http://127.0.0.1:${closedPort}` });
    expect((await fetch(`${stack.gatewayUrl}/_gateway/healthz`)).status).toBe(200);
    const ready = await fetch(`${stack.gatewayUrl}/_gateway/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await ready.json()) as Readiness;
    expect(body.status).toBe('not-ready');
    // MLflow never answered: the pinned version is assumed, and readyz says so.
    expect(body.mlflow).toEqual({ version: pinnedMlflowVersion(), detected: false, supported: true });
    const failing = body.checks.filter((c) => !c.ok);
    expect(failing.map((c) => c.name)).toEqual(['upstream']);
    // The cause is logged for operators, never shown to whoever asks readyz.
    expect(failing[0]!.error).toBeUndefined();
    expect(stack.logs.some((l) => l.includes('readiness.failed') && /ECONNREFUSED|connect/i.test(l))).toBe(true);
  });

  it('reads MLflow\'s version once MLflow answers after being down at start-up (a reconnect), and reports it in readyz', async () => {
    const port = await freePort();
    const stack = await start({ upstreamUrl: `http://127.0.0.1:${port}` });
    const before = (await (await fetch(`${stack.gatewayUrl}/_gateway/readyz`)).json()) as Readiness;
    expect(before.mlflow.detected).toBe(false);
    const mlflow = await startMlflow({ port, env: { MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' } });
    try {
      const after = (await (await fetch(`${stack.gatewayUrl}/_gateway/readyz`)).json()) as Readiness;
      expect(after.status).toBe('ready');
      expect(after.mlflow).toEqual({ version: pinnedMlflowVersion(), detected: true, supported: true });
      expect(stack.logs.some((l) => l.includes('"event":"mlflow.version"') && l.includes(pinnedMlflowVersion()))).toBe(true);
    } finally {
      await mlflow.stop();
    }
  }, 180_000);

  it('readyz stays 200 but reports degraded, naming the idp check, when the IdP is unreachable (sessions and tokens still work)', async () => {
    const stack = await start();
    await stack.idp.stop();
    const ready = await fetch(`${stack.gatewayUrl}/_gateway/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as Readiness;
    expect(body.status).toBe('degraded');
    expect(body.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['idp']);
    expect(body.checks.find((c) => c.name === 'idp')!.error).toBeUndefined();
    expect(stack.logs.some((l) => l.includes('readiness.failed') && /identity provider/i.test(l))).toBe(true);
  });
});
