import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, unique } from '../support/mlflow-api.js';
import { redisAvailable, startRedis, type RedisServer } from '../support/redis.js';
import { startStack, type Stack } from '../support/stack.js';

// Lock-out as denial of service: failed Basic/Bearer attempts naming alice, from an address that
// is not hers, must never make alice's valid token answer 429. The attacker's address is limited;
// the per-account count only includes failures on alice's real token ids, and it only ever turns
// further failures into 429 — a valid credential always verifies. Run on the in-memory limiter and
// on the Redis-shared one (a replica set).
const ATTACKER = '203.0.113.66';
const ALICE_LAPTOP = '198.51.100.7';
const LIMIT = 5;

function lockoutSuite(name: string, extraEnv: () => Record<string, string>) {
  describe(name, () => {
    let stack: Stack;
    let aliceToken: { id: string; token: string };

    beforeAll(async () => {
      stack = await startStack({
        env: { GATEWAY_AUTH_FAILURE_LIMIT: String(LIMIT), GATEWAY_AUTH_FAILURE_WINDOW: '10m', GATEWAY_TRUSTED_PROXIES: '127.0.0.1', ...extraEnv() },
      });
      const alice = await callerFor(stack, 'alice');
      const minted = await alice.raw('POST', '/_gateway/api/v1/tokens', { body: JSON.stringify({ name: unique('laptop') }), headers: { 'content-type': 'application/json' } });
      expect(minted.status, JSON.stringify(minted.json)).toBe(201);
      aliceToken = minted.json as { id: string; token: string };
    });
    afterAll(async () => stack?.stop());

    const call = (authorization: string, from: string) =>
      fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization, 'x-forwarded-for': from } });
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const randomId = (i: number) => `mog_${`Z${i}`.padEnd(12, 'q')}_${'b'.repeat(43)}`;
    const wrongSecret = () => `mog_${aliceToken.id}_${'c'.repeat(43)}`;

    it("lockout-by-username: 25 failed attempts naming alice from the attacker's address leave alice's valid token working", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) {
        // Basic naming alice: with made-up token ids, and with alice's real token id and a wrong secret.
        const credential = i % 2 === 0 ? basic('alice', randomId(i)) : basic('alice', wrongSecret());
        statuses.push((await call(credential, ATTACKER)).status);
      }
      expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(401));
      expect(statuses.slice(LIMIT).every((s) => s === 429), statuses.join(',')).toBe(true); // the attacker's address is limited

      for (const credential of [basic('alice', aliceToken.token), `Bearer ${aliceToken.token}`]) {
        const res = await call(credential, ALICE_LAPTOP);
        expect(res.status, await res.text()).toBe(200);
      }
      // From yet another address too: nothing about alice is locked.
      expect((await call(`Bearer ${aliceToken.token}`, '192.0.2.10')).status).toBe(200);
    });

    it("distributed-lockout: failures spread over many addresses on alice's real token id never refuse her valid token", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 3 * LIMIT; i++) statuses.push((await call(basic('alice', wrongSecret()), `203.0.113.${100 + i}`)).status);
      expect(statuses.every((s) => s === 401 || s === 429), statuses.join(',')).toBe(true);
      expect(statuses.slice(-LIMIT).every((s) => s === 429), 'failures on her token id are limited as such').toBe(true);
      expect((await call(basic('alice', aliceToken.token), ALICE_LAPTOP)).status).toBe(200);
      expect((await call(`Bearer ${aliceToken.token}`, '192.0.2.11')).status).toBe(200);
    });

    it("the attacker's address stays limited, even with a valid credential", async () => {
      const blocked = await call(`Bearer ${aliceToken.token}`, ATTACKER);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await blocked.json()) as { gateway_code: string }).gateway_code).toBe('GW_RATE_LIMITED');
    });
  });
}

lockoutSuite('lock-out denial of service (in-memory limiter)', () => ({}));

describe.skipIf(!redisAvailable())('with Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => redis?.stop());
  lockoutSuite('lock-out denial of service (Redis-shared limiter)', () => ({ GATEWAY_REDIS_URL: redis.url }));
});
