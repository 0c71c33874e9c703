import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/devtools/mlflow.js';
import { startStack, type Stack } from '../support/stack.js';

// When MLflow is down or hangs, callers get a clear 502/504 within the configured time, never a hang.
// The caller is an administrator: their search is forwarded as is (a user without grants would get
// the gateway's own empty answer without MLflow being asked).
describe('upstream failures', () => {
  const stacks: Stack[] = [];
  const servers: Server[] = [];
  afterAll(async () => {
    await Promise.all(stacks.map((s) => s.stop()));
    for (const s of servers) s.close();
  });

  it('upstream-down: answers 502 GW_UPSTREAM_UNAVAILABLE when nothing listens', async () => {
    const stack = await startStack({ upstreamUrl: `http://127.0.0.1:${await freePort()}` });
    stacks.push(stack);
    const { access_token } = await stack.idp.getTokens('admin');
    const res = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ gateway_code: 'GW_UPSTREAM_UNAVAILABLE', message: expect.stringMatching(/unreachable/) });
  });

  it('upstream-hanging: answers 504 GW_UPSTREAM_TIMEOUT after the configured timeout', async () => {
    // A TCP peer that accepts connections and never answers: a frozen MLflow, as the network sees it.
    const sockets: Socket[] = [];
    const blackHole = createServer((s) => void sockets.push(s));
    servers.push(blackHole);
    const port = await freePort();
    await new Promise<void>((r) => blackHole.listen(port, '127.0.0.1', () => r()));
    const stack = await startStack({ upstreamUrl: `http://127.0.0.1:${port}`, env: { GATEWAY_UPSTREAM_TIMEOUT: '1s' } });
    stacks.push(stack);
    const { access_token } = await stack.idp.getTokens('admin');
    const started = Date.now();
    const res = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: `Bearer ${access_token}` }, signal: AbortSignal.timeout(30_000) });
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ gateway_code: 'GW_UPSTREAM_TIMEOUT' });
    // Reported, not asserted tightly (timings are benchmarks' business): it did not hang.
    console.info(`upstream-hanging answered 504 after ${Date.now() - started} ms (timeout 1s)`);
    for (const s of sockets) s.destroy();
  });
});
