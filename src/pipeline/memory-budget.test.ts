import { describe, expect, it } from 'vitest';
import { BODY_COST_FACTOR, defaultBodyMemory, MemoryBudget } from './memory-budget.js';
import { GatewayError } from '../errors/index.js';

const codeOf = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e instanceof GatewayError ? e.code : 'other';
  }
};

describe('MemoryBudget', () => {
  it('charges bytes at cost and refuses what would pass the budget with GW_BUSY', () => {
    const budget = new MemoryBudget(100 * BODY_COST_FACTOR);
    const a = budget.lease();
    const b = budget.lease();
    a.take(60);
    expect(budget.used).toBe(60 * BODY_COST_FACTOR);
    expect(codeOf(() => b.take(41))).toBe('GW_BUSY');
    expect(budget.used, 'a refused take holds nothing').toBe(60 * BODY_COST_FACTOR);
    b.take(40);
    expect(budget.used).toBe(100 * BODY_COST_FACTOR);
  });

  it('gives everything back once, and a released lease takes no more', () => {
    const budget = new MemoryBudget(1000);
    const a = budget.lease();
    a.take(10);
    a.take(20);
    a.release();
    a.release();
    expect(budget.used).toBe(0);
    expect(codeOf(() => a.take(1))).toBe('GW_BUSY');
    expect(budget.used).toBe(0);
  });

  it('a request that needs more than the whole budget is too large, not busy', () => {
    const budget = new MemoryBudget(100 * BODY_COST_FACTOR);
    const a = budget.lease();
    a.take(50);
    expect(codeOf(() => a.take(51))).toBe('GW_BODY_TOO_LARGE');
    expect(codeOf(() => budget.lease().take(101))).toBe('GW_BODY_TOO_LARGE');
  });

  it('the busy refusal says when to retry', () => {
    const budget = new MemoryBudget(BODY_COST_FACTOR);
    budget.lease().take(1);
    try {
      budget.lease().take(1);
    } catch (e) {
      expect((e as GatewayError).status).toBe(503);
      expect((e as GatewayError).headers['retry-after']).toBe('1');
    }
  });

  it('defaults to half of the heap limit', () => {
    expect(defaultBodyMemory()).toBeGreaterThan(16 * 1024 * 1024);
  });
});
