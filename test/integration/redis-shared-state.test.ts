import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Invalidation } from '../../src/cache/events.js';
import { createRedisBus } from '../../src/cache/redis-bus.js';
import { createSharedFailureLimiter } from '../../src/tokens/shared-failure-limiter.js';
import { redisAvailable, startRedis, type RedisServer } from '../support/redis.js';
import { within } from '../support/replica.js';

// Redis as the replicas' shared state, on a real redis-server: the invalidation bus between two
// replicas (and what happens when Redis dies and comes back), and the failed-authentication
// counters that no replica may keep to itself.

const quiet = { info: () => undefined, warn: () => undefined };

describe.skipIf(!redisAvailable())('Redis shared state', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => redis?.stop());

  it('the bus carries an invalidation from one replica to the other, not back to its sender', async () => {
    const a = createRedisBus(redis.url, quiet);
    const b = createRedisBus(redis.url, quiet);
    try {
      expect(await within(5000, () => a.connected && b.connected)).toBeLessThan(Infinity);
      const seenByA: Invalidation[] = [];
      const seenByB: Invalidation[] = [];
      a.subscribe((e) => seenByA.push(e));
      b.subscribe((e) => seenByB.push(e));
      await a.publish({ kind: 'token', id: 't1' });
      expect(seenByA).toEqual([{ kind: 'token', id: 't1' }]); // delivered locally before publish returned
      expect(await within(1000, () => seenByB.length > 0)).toBeLessThanOrEqual(1000);
      expect(seenByB).toEqual([{ kind: 'token', id: 't1' }]);
      await new Promise((r) => setTimeout(r, 100));
      expect(seenByA).toHaveLength(1); // its own echo from Redis is ignored
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('Redis killed: both replicas see the bus down (caches told to forget), and up again after a restart', async () => {
    const a = createRedisBus(redis.url, quiet);
    const b = createRedisBus(redis.url, quiet);
    try {
      expect(await within(5000, () => a.connected && b.connected)).toBeLessThan(Infinity);
      const seenByB: Invalidation[] = [];
      b.subscribe((e) => seenByB.push(e));
      await redis.kill();
      expect(await within(5000, () => !a.connected && !b.connected)).toBeLessThan(Infinity);
      expect(seenByB).toContainEqual({ kind: 'all' });
      // Published while down: delivered locally, queued for Redis.
      await a.publish({ kind: 'user', id: 'u1' });
      seenByB.length = 0;
      await redis.restart();
      expect(await within(10_000, () => a.connected && b.connected)).toBeLessThan(Infinity);
      // Whatever was published meanwhile may or may not reach B (A's queued publish can race B's
      // re-subscription); what makes it safe is that B forgets everything when its link is back.
      expect(seenByB).toContainEqual({ kind: 'all' });
      seenByB.length = 0;
      await a.publish({ kind: 'grants', resourceType: 'experiment' });
      expect(await within(1000, () => seenByB.some((e) => e.kind === 'grants'))).toBeLessThanOrEqual(1000);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('failed authentications are counted across replicas: spreading guesses over two gets no extra tries', async () => {
    const a = createSharedFailureLimiter(3, 60_000, redis.url, quiet);
    const b = createSharedFailureLimiter(3, 60_000, redis.url, quiet);
    try {
      const key = [`ip:203.0.113.${Math.floor(Math.random() * 250)}`];
      await new Promise((r) => setTimeout(r, 300)); // both connected
      a.recordFailure(key);
      b.recordFailure(key);
      a.assertAllowed(key);
      b.assertAllowed(key); // 2 of 3 so far, each replica saw one
      b.recordFailure(key); // the third, on B
      // A never saw more than one failure itself, yet is told of the block.
      expect(await within(1000, () => {
        try {
          a.assertAllowed(key);
          return false;
        } catch (err) {
          return (err as { code?: string }).code === 'GW_RATE_LIMITED';
        }
      })).toBeLessThanOrEqual(1000);
      expect(() => b.assertAllowed(key)).toThrow(/Too many failed/);
      expect(() => a.assertAllowed(['ip:198.51.100.1'])).not.toThrow();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
