import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, unique, type ApiCaller } from '../support/mlflow-api.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../support/postgres.js';
import { signIn } from '../support/sign-in.js';
import type { HttpBrowser } from '../support/http-browser.js';
import { startStack, type Stack } from '../support/stack.js';

// The store goes away under a running gateway on PostgreSQL: every request that needs it fails
// closed with 503 GW_STORE_UNAVAILABLE (never an allow, never a sign-in redirect), and when
// PostgreSQL is back the same calls succeed again without restarting the gateway.

describe.runIf(postgresAvailable())('store outage on PostgreSQL', () => {
  let pg: PostgresServer;
  let stack: Stack;
  let alice: ApiCaller;
  let browser: HttpBrowser;
  let pat: string;
  /** Never presented before the hang test: no cache on the gateway knows it, only the store. */
  let unusedPat: string;
  let experimentId: string;

  const withPat = (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${stack.gatewayUrl}/api/2.0/mlflow/${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${pat}`, 'content-type': 'application/json' },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  const getExperiment = (token = pat) => fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    pg = await startPostgres();
    stack = await startStack({ env: { GATEWAY_DATABASE_URL: await pg.createDatabase() } });
    expect(stack.server.gateway.store.kind).toBe('postgres');
    alice = await callerFor(stack, 'alice');
    const minted = await alice.raw('POST', '/_gateway/api/v1/tokens', { body: JSON.stringify({ name: unique('outage'), expires_in_days: 1 }), headers: { 'content-type': 'application/json' } });
    expect(minted.status, JSON.stringify(minted.json)).toBe(201);
    pat = (minted.json as { token: string }).token;
    const second = await alice.raw('POST', '/_gateway/api/v1/tokens', { body: JSON.stringify({ name: unique('unused'), expires_in_days: 1 }), headers: { 'content-type': 'application/json' } });
    unusedPat = (second.json as { token: string }).token;
    const created = await withPat('experiments/create', { method: 'POST', body: { name: unique('outage') } });
    expect(created.status).toBe(200);
    experimentId = ((await created.json()) as { experiment_id: string }).experiment_id;
    ({ browser } = await signIn(stack, 'alice'));
  });
  afterAll(async () => {
    await stack?.stop();
    await pg?.stop();
  });

  it('serves an MLflow call with a personal token while PostgreSQL is up', async () => {
    const res = await getExperiment();
    expect(res.status).toBe(200);
    expect(((await res.json()) as { experiment: { experiment_id: string } }).experiment.experiment_id).toBe(experimentId);
  });

  it('fails closed with 503 GW_STORE_UNAVAILABLE for every kind of caller while PostgreSQL is down', async () => {
    await pg.kill();
    // The invalidation listener notices the lost database within milliseconds (its connection ends;
    // at worst its 1 s ping times out after 2 s). Until then caches may still answer for credentials
    // valid a moment ago — safe, since nothing can be revoked in a dead database. From then on:
    await expect.poll(async () => (await getExperiment()).status, { timeout: 5_000, interval: 50 }).toBe(503);
    for (const res of [
      await getExperiment(), // personal token
      await withPat('experiments/update', { method: 'POST', body: { experiment_id: experimentId, new_name: unique('renamed') } }), // a write
      await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`, { headers: { authorization: `Bearer ${alice.token}` } }), // IdP JWT
      await browser.get(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`), // browser session
    ]) {
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error_code: 'TEMPORARILY_UNAVAILABLE', gateway_code: 'GW_STORE_UNAVAILABLE' });
    }
    // Readiness says why, so a load balancer takes the replica out meanwhile.
    const ready = await fetch(`${stack.gatewayUrl}/_gateway/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { name: string; ok: boolean }[] }).checks).toContainEqual({ name: 'store', ok: false });
    // The driver's error (host, port) reaches the log, not the client.
    expect(stack.logs.some((l) => l.includes('GW_STORE_UNAVAILABLE') && l.includes('ECONNREFUSED'))).toBe(true);
  });

  it('recovers by itself when PostgreSQL is back: the same calls succeed without restarting the gateway', async () => {
    await pg.restart();
    await expect.poll(async () => (await getExperiment()).status, { timeout: 30_000, interval: 250 }).toBe(200);
    const renamed = unique('back');
    const backAt = Date.now();
    expect((await withPat('experiments/update', { method: 'POST', body: { experiment_id: experimentId, new_name: renamed } })).status).toBe(200);
    expect((await browser.get(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`)).status).toBe(200);
    expect((await fetch(`${stack.gatewayUrl}/_gateway/readyz`)).status).toBe(200);
    // The store takes writes again: the rename's audit event (written after the response) arrives.
    await expect.poll(async () => (await stack.server.gateway.store.audit.list({ limit: 20, actor: 'alice', since: new Date(backAt) }))
      .some((e) => e.resource === `experiment:${experimentId}`)).toBe(true);
  });

  // A hung server also holds its LISTEN connection open, so the invalidation bus stays up and warm
  // caches may still answer (nothing can change in a hung database meanwhile); a credential only the
  // store knows must wait out the pool's connect or query timeout (≤ 15 s) and be refused.
  it('fails closed with 503 when PostgreSQL hangs (accepts connections, answers nothing), and recovers when it answers again', async () => {
    pg.pause();
    try {
      const res = await getExperiment(unusedPat);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ gateway_code: 'GW_STORE_UNAVAILABLE' });
    } finally {
      pg.resume();
    }
    await expect.poll(async () => (await getExperiment(unusedPat)).status, { timeout: 30_000, interval: 250 }).toBe(200);
  });
});
