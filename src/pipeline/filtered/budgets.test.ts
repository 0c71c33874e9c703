import { describe, expect, it } from 'vitest';
import { budgetVisible } from './budgets.js';
import type { FilterRequest } from './request.js';

// The scopes decided without asking anything (ENDPOINT scope needs the resolver and the policy:
// test/integration/budget-reads.test.ts). A scope the gateway does not know is hidden.
describe('budgetVisible', () => {
  const fr = { subject: { userId: 'u1', username: 'alice', groups: [], isAdmin: false } } as unknown as FilterRequest;
  const policy = (target_scope: unknown, target_value?: unknown) => ({ budget_policy_id: 'bp-1', target_scope, ...(target_value !== undefined ? { target_value } : {}) });

  it('GLOBAL and WORKSPACE policies are everyone\'s; a USER policy only its user\'s', async () => {
    expect(await budgetVisible(fr, policy('GLOBAL'))).toBe(true);
    expect(await budgetVisible(fr, policy('WORKSPACE'))).toBe(true);
    expect(await budgetVisible(fr, policy('USER', 'alice'))).toBe(true);
    expect(await budgetVisible(fr, policy('USER', 'bob'))).toBe(false);
    expect(await budgetVisible(fr, policy('USER', 'Alice'))).toBe(false);
    expect(await budgetVisible(fr, policy('USER'))).toBe(false);
  });

  it('fails closed on a scope it does not understand (attack: a target kind a later MLflow adds leaking through)', async () => {
    for (const scope of ['TARGET_SCOPE_UNSPECIFIED', 'TEAM', undefined, null, 4, ['GLOBAL'], 'global']) {
      expect(await budgetVisible(fr, policy(scope, 'alice')), String(scope)).toBe(false);
    }
    expect(await budgetVisible(fr, policy('ENDPOINT', ''))).toBe(false);
    expect(await budgetVisible(fr, 'GLOBAL')).toBe(false);
    expect(await budgetVisible(fr, undefined)).toBe(false);
  });
});
