import { describe, expect, it } from 'vitest';
import { alignWithOldDecisions } from './fold.js';
import { addGrant, addPattern, emptyPlan } from './plan.js';

describe('alignWithOldDecisions: MLflow folds to the highest grant, the gateway decides by precedence', () => {
  it("raises a user's own lower grant to what their role gives (MLflow: max)", () => {
    const plan = emptyPlan('basic-auth');
    plan.users.push({ username: 'alice', kind: 'person', wasAdmin: false });
    plan.groups.set('team-a', new Set(['alice']));
    plan.grants.push(
      { principalType: 'user', principal: 'alice', resourceType: 'experiment', resourceId: '3', level: 'READ', from: 'own' },
      { principalType: 'group', principal: 'team-a', resourceType: 'experiment', resourceId: '3', level: 'EDIT', from: 'role' },
    );
    alignWithOldDecisions(plan, { admins: new Set(), membersOf: () => ['team-a'] });
    expect(plan.grants.find((g) => g.principal === 'alice')?.level).toBe('EDIT');
  });
  it("adds a user grant where a wildcard of the user's is higher than a role's specific grant", () => {
    const plan = emptyPlan('basic-auth');
    plan.users.push({ username: 'bob', kind: 'person', wasAdmin: false });
    plan.grants.push({ principalType: 'group', principal: 'team-b', resourceType: 'registered_model', resourceId: 'm', level: 'READ', from: 'role' });
    plan.patterns.push({ principalType: 'user', principal: 'bob', resourceType: 'registered_model', matcher: 'glob', pattern: '*', level: 'EDIT', from: 'own *' });
    alignWithOldDecisions(plan, { admins: new Set(), membersOf: () => ['team-b'] });
    expect(plan.grants).toContainEqual(expect.objectContaining({ principalType: 'user', principal: 'bob', resourceId: 'm', level: 'EDIT' }));
  });
  it("keeps a deny as the gateway's DENY: it beats the user's own grant here as in MLflow, so nothing is rewritten", () => {
    const plan = emptyPlan('basic-auth');
    plan.users.push({ username: 'carol', kind: 'person', wasAdmin: false });
    plan.grants.push(
      { principalType: 'user', principal: 'carol', resourceType: 'experiment', resourceId: '9', level: 'MANAGE', from: 'own' },
      { principalType: 'group', principal: 'blocked', resourceType: 'experiment', resourceId: '9', level: 'DENY', from: 'role DENY' },
    );
    alignWithOldDecisions(plan, { admins: new Set(), membersOf: () => ['blocked'] });
    expect(plan.grants.map((g) => g.level)).toEqual(['MANAGE', 'DENY']);
    expect(plan.notes).toEqual([]);
  });
  it('folds the same grant from two tables with DENY winning, as MLflow folds them', () => {
    const plan = emptyPlan('basic-auth');
    addGrant(plan, { principalType: 'user', principal: 'dan', resourceType: 'experiment', resourceId: '4', level: 'DENY', from: 'role_permissions' });
    addGrant(plan, { principalType: 'user', principal: 'dan', resourceType: 'experiment', resourceId: '4', level: 'MANAGE', from: 'experiment_permissions' });
    addPattern(plan, { principalType: 'group', principal: 'g', resourceType: 'prompt', matcher: 'glob', pattern: '*', level: 'EDIT', from: 'a' });
    addPattern(plan, { principalType: 'group', principal: 'g', resourceType: 'prompt', matcher: 'glob', pattern: '*', level: 'DENY', from: 'b' });
    addPattern(plan, { principalType: 'group', principal: 'g', resourceType: 'prompt', matcher: 'glob', pattern: '*', level: 'MANAGE', from: 'c' });
    expect(plan.grants).toEqual([expect.objectContaining({ level: 'DENY' })]);
    expect(plan.patterns).toEqual([expect.objectContaining({ level: 'DENY' })]);
  });
  it('leaves data alone where both already agree, and administrators out of it', () => {
    const plan = emptyPlan('basic-auth');
    plan.users.push({ username: 'dan', kind: 'person', wasAdmin: false }, { username: 'root', kind: 'person', wasAdmin: true });
    plan.grants.push({ principalType: 'user', principal: 'dan', resourceType: 'experiment', resourceId: '1', level: 'EDIT', from: 'own' });
    alignWithOldDecisions(plan, { admins: new Set(['root']), membersOf: () => [] });
    expect(plan.grants).toHaveLength(1);
    expect(plan.notes).toEqual([]);
  });
});
