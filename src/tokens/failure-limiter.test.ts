import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/index.js';
import { createFailureLimiter } from './failure-limiter.js';

describe('failure limiter', () => {
  it('allows up to the limit, then answers 429 with Retry-After until the window ends', () => {
    const l = createFailureLimiter(3, 60_000);
    for (let i = 0; i < 3; i++) {
      l.assertAllowed(['ip:1'], 1000);
      l.recordFailure(['ip:1'], 1000);
    }
    let err: unknown;
    try {
      l.assertAllowed(['ip:1'], 11_000);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('GW_RATE_LIMITED');
    expect((err as GatewayError).headers['retry-after']).toBe('50');
    l.assertAllowed(['ip:2'], 11_000); // another key is unaffected
    l.assertAllowed(['ip:1'], 61_000); // a new window
  });

  it('blocks when any key is over (per address and per token owner)', () => {
    const l = createFailureLimiter(1, 1000);
    l.recordFailure(['ip:1', 'token-owner:u1'], 0);
    expect(() => l.assertAllowed(['ip:9', 'token-owner:u1'], 10)).toThrow(/Too many/);
  });

  it('stays bounded in memory', () => {
    const l = createFailureLimiter(1, 1000, 2);
    l.recordFailure(['a'], 0);
    l.recordFailure(['b'], 0);
    l.recordFailure(['c'], 0);
    l.assertAllowed(['a'], 1); // evicted
    expect(() => l.assertAllowed(['c'], 1)).toThrow();
  });
});
