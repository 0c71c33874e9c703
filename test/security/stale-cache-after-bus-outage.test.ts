import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, unique, type ApiCaller } from '../support/mlflow-api.js';
import { redisAvailable, startRedis, type RedisServer } from '../support/redis.js';
import { startReplica, within } from '../support/replica.js';
import { startStack, type Stack } from '../support/stack.js';

// Two gateway replicas share a database and a Redis that carries cache invalidations. Replica B has
// a personal token cached when Redis dies; replica A then revokes the token, and the invalidation is
// lost with Redis. B must refuse the token at once all the same: a replica without its bus flushes
// its caches and reads the store until the bus is back. Without that, B would keep accepting the
// revoked token for its cache's TTL.

describe.skipIf(!redisAvailable())('stale-cache-after-bus-outage', () => {
  let redis: RedisServer;
  let a: Stack;
  let b: Stack;
  let alice: ApiCaller;
  let env: Record<string, string>;

  const onB = (token: string, path = '/api/2.0/mlflow/experiments/search?max_results=1') =>
    fetch(`${b.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
  const mint = async (name: string): Promise<{ id: string; token: string }> => {
    const res = await alice.raw('POST', '/_gateway/api/v1/tokens', { body: JSON.stringify({ name, expires_in_days: 1 }), headers: { 'content-type': 'application/json' } });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    return res.json as { id: string; token: string };
  };

  beforeAll(async () => {
    redis = await startRedis();
    const dir = mkdtempSync(join(tmpdir(), 'gw-outage-'));
    env = { GATEWAY_DATABASE_URL: `sqlite:${join(dir, 'gw.db')}`, GATEWAY_REDIS_URL: redis.url, GATEWAY_CACHE_TTL: '1h', GATEWAY_GRANT_CACHE_TTL: '1h', GATEWAY_AUTH_FAILURE_LIMIT: '1000' };
    a = await startStack({ env });
    b = await startReplica(a, env);
    alice = await callerFor(a, 'alice');
    expect(a.server.gateway.bus.kind).toBe('redis');
    expect(await within(5000, () => a.server.gateway.bus.connected && b.server.gateway.bus.connected)).toBeLessThan(Infinity);
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await redis?.stop();
  });

  it('with the bus up, a revocation on A reaches B\'s cache within a second', async () => {
    const t = await mint(unique('up'));
    expect(await onB(t.token)).toBe(200);
    expect(await onB(t.token)).toBe(200); // now served from B's cache
    expect((await alice.raw('DELETE', `/_gateway/api/v1/tokens/${t.id}`)).status).toBe(204);
    expect(await within(1000, async () => (await onB(t.token)) === 401)).toBeLessThanOrEqual(1000);
  });

  it('Redis killed: B flushes and bypasses its caches, so a revocation it never heard of is enforced at once', async () => {
    const t = await mint(unique('outage'));
    expect(await onB(t.token)).toBe(200);
    expect(await onB(t.token)).toBe(200); // cached on B

    await redis.kill();
    expect(await within(5000, () => !b.server.gateway.bus.connected && !a.server.gateway.bus.connected)).toBeLessThan(Infinity);
    expect(b.logs.some((l) => l.includes('"event":"cache.bus_disconnected"'))).toBe(true);
    // Reported, without taking the replica out of the load balancer.
    const ready = await fetch(`${b.gatewayUrl}/_gateway/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'degraded', checks: expect.arrayContaining([{ name: 'invalidation-bus', ok: false }]) });

    // The revocation's event goes nowhere: Redis is down.
    expect((await alice.raw('DELETE', `/_gateway/api/v1/tokens/${t.id}`)).status).toBe(204);
    expect(await onB(t.token)).toBe(401);

    // Requests keep working meanwhile (from the store).
    const other = await mint(unique('during'));
    expect(await onB(other.token)).toBe(200);
    expect((await fetch(`${b.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: `Bearer ${alice.token}` } })).status).toBe(200);

    // Redis back: the bus reconnects, caches come back on, the revoked token stays refused.
    await redis.restart();
    expect(await within(10_000, () => b.server.gateway.bus.connected && a.server.gateway.bus.connected)).toBeLessThan(Infinity);
    expect(await onB(t.token)).toBe(401);
    expect(await onB(other.token)).toBe(200);
    expect(await onB(other.token)).toBe(200);
    expect(await (await fetch(`${b.gatewayUrl}/_gateway/readyz`)).json()).toMatchObject({ checks: expect.arrayContaining([{ name: 'invalidation-bus', ok: true }]) });
    // And invalidations flow again.
    expect((await alice.raw('DELETE', `/_gateway/api/v1/tokens/${other.id}`)).status).toBe(204);
    expect(await within(1000, async () => (await onB(other.token)) === 401)).toBeLessThanOrEqual(1000);
  });
});
