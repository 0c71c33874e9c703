import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runChildGrants } from '../../bench/scenarios/child-grants.js';
import { callerFor, userId } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

// A small run of the child-grants bench scenario (bench/scenarios/child-grants.ts), so the
// scenario is known to work; the full one (10,000 runs, 50 grants) is the lead's bench run.
// Only correctness is asserted here: the timing ratio on a shared test machine is reported, not judged.

describe('bench scenario: child grants in a big experiment (small count)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  it('answers the first page with exactly the granted runs', async () => {
    const bob = await callerFor(stack, 'bob');
    await bob.get('experiments/search', { max_results: '1' });
    const bobId = await userId(stack, 'bob');
    const result = await runChildGrants({
      mlflowUrl: inject('mlflowUrl'), gatewayUrl: stack.gatewayUrl, callerHeaders: { authorization: `Bearer ${bob.token}` },
      grantRuns: async (ids) => {
        for (const id of ids) await stack.server.gateway.store.grants.set({ principalType: 'user', principal: bobId, resourceType: 'run', resourceId: id, level: 'READ' });
      },
      runs: 300, granted: 10, rounds: 5,
    });
    console.log(`child-grants bench (small): ${JSON.stringify(result)}`);
    expect(result.granted).toBe(10);
    expect(result.gatewayFirstPage).toBe(10);
  });
});
