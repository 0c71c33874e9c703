import { GatewayError } from '../errors/index.js';

/**
 * Brute-force guard for token and Basic credentials: failures are counted per key in a fixed
 * window; past the limit the key gets 429 with Retry-After until its window ends. The keys are
 * chosen by the caller (src/pipeline/steps/authenticate.ts): the client address (`ip:…`, checked
 * before verifying) and the owner of a real token id that failed (`token-owner:…`, checked only
 * after a failure, so it never refuses a valid credential). Successes do not reset a key, so an attacker holding one
 * valid token cannot interleave it to keep guessing. Memory is bounded (oldest keys dropped).
 */
export interface FailureLimiter {
  /** Throws GW_RATE_LIMITED when any of the keys is over the limit. */
  assertAllowed(keys: readonly string[], now?: number): void;
  recordFailure(keys: readonly string[], now?: number): void;
  /** Releases connections (the Redis-backed limiter). */
  close?(): Promise<void>;
}

export function createFailureLimiter(limit: number, windowMs: number, maxKeys = 100_000): FailureLimiter {
  const windows = new Map<string, { start: number; count: number }>();

  function current(key: string, now: number): { start: number; count: number } | undefined {
    const w = windows.get(key);
    if (w && now - w.start >= windowMs) {
      windows.delete(key);
      return undefined;
    }
    return w;
  }

  return {
    assertAllowed(keys, now = Date.now()) {
      for (const key of keys) {
        const w = current(key, now);
        if (w && w.count >= limit) {
          const retryAfter = Math.max(1, Math.ceil((w.start + windowMs - now) / 1000));
          throw new GatewayError('GW_RATE_LIMITED', `Too many failed authentication attempts; retry in ${retryAfter}s`, { headers: { 'retry-after': String(retryAfter) } });
        }
      }
    },
    recordFailure(keys, now = Date.now()) {
      for (const key of keys) {
        const w = current(key, now);
        if (w) w.count++;
        else {
          if (windows.size >= maxKeys) windows.delete(windows.keys().next().value as string);
          windows.set(key, { start: now, count: 1 });
        }
      }
    },
  };
}
