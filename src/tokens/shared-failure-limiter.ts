import { Redis } from 'ioredis';
import { GatewayError } from '../errors/index.js';
import { createFailureLimiter, type FailureLimiter } from './failure-limiter.js';

const PREFIX = 'mlflow-oidc-gateway:auth-failures:';
export const BLOCK_CHANNEL = 'mlflow-oidc-gateway:auth-blocked';

export interface LimiterLog {
  warn(obj: object, msg: string): void;
}

/**
 * The failure limiter shared by every replica through Redis: failures are counted in Redis
 * (INCR, expiring with the window), so an attacker spreading guesses over N replicas still gets
 * `limit` tries, not N × limit. The check itself stays in memory, off the request's critical path:
 * a replica whose count reaches the limit announces the block on a channel every replica listens to.
 * Redis unreachable: each replica still limits on its own counts (the in-memory limiter below).
 */
export function createSharedFailureLimiter(limit: number, windowMs: number, redisUrl: string, log: LimiterLog): FailureLimiter & { close(): Promise<void> } {
  const local = createFailureLimiter(limit, windowMs);
  const blocked = new Map<string, number>();
  const options = { lazyConnect: true, connectTimeout: 2000, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: (n: number) => Math.min(100 * n, 1000) };
  const commands = new Redis(redisUrl, { ...options, connectionName: 'gateway-auth-failures' });
  const listener = new Redis(redisUrl, { ...options, connectionName: 'gateway-auth-blocks', autoResubscribe: false });
  commands.on('error', () => undefined);
  listener.on('error', () => undefined);
  listener.on('ready', () => void listener.subscribe(BLOCK_CHANNEL).catch(() => listener.disconnect(true)));
  listener.on('message', (channel: string, message: string) => {
    if (channel !== BLOCK_CHANNEL) return;
    try {
      const { key, until } = JSON.parse(message) as { key?: unknown; until?: unknown };
      if (typeof key === 'string' && typeof until === 'number') block(key, until);
    } catch {
      // not ours
    }
  });
  void commands.connect().catch(() => undefined);
  void listener.connect().catch(() => undefined);

  function block(key: string, until: number): void {
    if (blocked.size >= 100_000) blocked.delete(blocked.keys().next().value as string);
    blocked.set(key, Math.max(until, blocked.get(key) ?? 0));
  }

  async function countInRedis(key: string, now: number): Promise<void> {
    // The window starts with the first failure (SET NX with the expiry), later ones only count.
    const replies = (await commands.multi().set(PREFIX + key, 0, 'PX', windowMs, 'NX').incr(PREFIX + key).pttl(PREFIX + key).exec()) ?? [];
    const count = Number(replies[1]?.[1]);
    const ttl = Number(replies[2]?.[1]);
    if (count >= limit) {
      const until = now + (ttl > 0 ? ttl : windowMs);
      block(key, until);
      await commands.publish(BLOCK_CHANNEL, JSON.stringify({ key, until }));
    }
  }

  return {
    assertAllowed(keys, now = Date.now()) {
      for (const key of keys) {
        const until = blocked.get(key);
        if (until === undefined) continue;
        if (until <= now) {
          blocked.delete(key);
          continue;
        }
        const retryAfter = Math.max(1, Math.ceil((until - now) / 1000));
        throw new GatewayError('GW_RATE_LIMITED', `Too many failed authentication attempts; retry in ${retryAfter}s`, { headers: { 'retry-after': String(retryAfter) } });
      }
      local.assertAllowed(keys, now);
    },
    recordFailure(keys, now = Date.now()) {
      local.recordFailure(keys, now);
      for (const key of keys) {
        countInRedis(key, now).catch((err: Error) => log.warn({ event: 'auth_failures.redis_unavailable', reason: err.message }, 'could not count a failed authentication in Redis; counting on this replica only'));
      }
    },
    async close() {
      listener.disconnect(false);
      commands.disconnect(false);
    },
  };
}
