import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, explain } from './decide.js';
import { atLeast, levelRank, requiredLevel } from './levels.js';
import { ACTIONS, GRANT_LEVELS, LEVELS, RESOURCE_TYPES } from './types.js';
import type { Action, DecisionSource, Grant, GrantLevel, Level, PatternRule, PolicyFacts, Resource, Subject } from './types.js';

// --- fixtures -------------------------------------------------------------------------------

const alice: Subject = { userId: 'u-alice', username: 'alice', groups: ['team-a', 'team-b'], isAdmin: false };
const admin: Subject = { userId: 'u-root', username: 'root', groups: [], isAdmin: true };
const exp12: Resource = { type: 'experiment', id: '12' };
const named: Resource = { type: 'experiment', id: '12', name: 'team-a-exp' };
const noFacts: PolicyFacts = { grants: [], patterns: [], defaultLevel: 'NO_PERMISSIONS' };
const run7: Resource = { type: 'run', id: 'r7', parent: exp12 };

function userGrant(level: GrantLevel, over: Partial<Grant> = {}): Grant {
  return { principalType: 'user', principal: 'u-alice', resourceType: 'experiment', resourceId: '12', level, ...over };
}
function groupGrant(group: string, level: GrantLevel, over: Partial<Grant> = {}): Grant {
  return { principalType: 'group', principal: group, resourceType: 'experiment', resourceId: '12', level, ...over };
}
function rule(id: string, pattern: string, level: GrantLevel, over: Partial<PatternRule> = {}): PatternRule {
  return { id, principalType: 'group', principal: 'team-a', resourceType: 'experiment', matcher: 'glob', pattern, level, ...over };
}
function facts(over: Partial<PolicyFacts>): PolicyFacts {
  return { ...noFacts, ...over };
}

// Written out by hand rather than derived from atLeast/requiredLevel, so the test does not
// just restate the implementation.
const ALLOWED: Record<Level, readonly Action[]> = {
  NO_PERMISSIONS: [],
  READ: ['read'],
  USE: ['read', 'use'],
  EDIT: ['read', 'use', 'update'],
  MANAGE: ['read', 'use', 'update', 'delete', 'manage'],
};
const REQUIRED: Record<Action, Level> = { read: 'READ', use: 'USE', update: 'EDIT', delete: 'MANAGE', manage: 'MANAGE' };

// --- the precedence table -------------------------------------------------------------------

interface Case {
  readonly name: string;
  readonly subject?: Subject;
  readonly resource?: Resource;
  readonly facts?: PolicyFacts;
  readonly action: Action;
  readonly allow: boolean;
  readonly level: Level;
  readonly source: DecisionSource;
  /** Exact reason, or a pattern it must match. */
  readonly reason?: string | RegExp;
}

const levelActionMatrix: Case[] = LEVELS.flatMap((level) =>
  ACTIONS.map(
    (action): Case => ({
      name: `user grant ${level} × ${action}`,
      facts: facts({ grants: [userGrant(level)] }),
      action,
      allow: ALLOWED[level].includes(action),
      level,
      source: 'user-grant',
      reason: ALLOWED[level].includes(action)
        ? `user grant: alice has ${level} on experiment 12`
        : `user grant: alice has ${level} on experiment 12; ${action} needs ${REQUIRED[action]}`,
    }),
  ),
);

const cases: Case[] = [
  ...levelActionMatrix,

  // admin
  { name: 'admin bypasses a NO_PERMISSIONS default', subject: admin, action: 'delete', allow: true, level: 'MANAGE', source: 'admin', reason: 'administrator' },
  {
    name: 'admin bypasses an explicit NO_PERMISSIONS grant',
    subject: { ...admin, groups: ['team-a'] },
    facts: facts({ grants: [userGrant('NO_PERMISSIONS', { principal: 'u-root' }), groupGrant('team-a', 'NO_PERMISSIONS')] }),
    action: 'manage',
    allow: true,
    level: 'MANAGE',
    source: 'admin',
  },
  { name: 'admin with read-only token can read', subject: { ...admin, maxLevel: 'READ' }, action: 'read', allow: true, level: 'READ', source: 'token-read-only', reason: 'token is read-only (READ) instead of MANAGE (administrator)' },
  {
    name: 'admin with read-only token cannot update',
    subject: { ...admin, maxLevel: 'READ' },
    action: 'update',
    allow: false,
    level: 'READ',
    source: 'token-read-only',
    reason: 'token is read-only (READ) instead of MANAGE (administrator); update needs EDIT',
  },
  {
    name: 'admin with scoped token outside scope is denied',
    subject: { ...admin, scope: [{ type: 'experiment', id: '99' }] },
    action: 'read',
    allow: false,
    level: 'NO_PERMISSIONS',
    source: 'token-scope',
    reason: 'token is limited to other resources; read needs READ',
  },
  { name: 'admin with scoped token inside scope keeps MANAGE', subject: { ...admin, scope: [{ type: 'experiment', id: '12' }] }, action: 'delete', allow: true, level: 'MANAGE', source: 'admin' },

  // user grant vs group grants
  {
    name: 'user grant READ beats a higher group grant (MANAGE)',
    facts: facts({ grants: [groupGrant('team-a', 'MANAGE'), userGrant('READ')] }),
    action: 'update',
    allow: false,
    level: 'READ',
    source: 'user-grant',
    reason: 'user grant: alice has READ on experiment 12; update needs EDIT',
  },
  { name: 'user grant MANAGE beats a lower group grant (READ)', facts: facts({ grants: [groupGrant('team-a', 'READ'), userGrant('MANAGE')] }), action: 'delete', allow: true, level: 'MANAGE', source: 'user-grant' },
  {
    name: 'user grant NO_PERMISSIONS beats group MANAGE',
    facts: facts({ grants: [groupGrant('team-a', 'MANAGE'), userGrant('NO_PERMISSIONS')] }),
    action: 'read',
    allow: false,
    level: 'NO_PERMISSIONS',
    source: 'user-grant',
  },
  {
    name: 'user grant beats a matching pattern rule and the default',
    resource: named,
    facts: facts({ grants: [userGrant('USE')], patterns: [rule('r1', 'team-a-*', 'MANAGE')], defaultLevel: 'MANAGE' }),
    action: 'use',
    allow: true,
    level: 'USE',
    source: 'user-grant',
    reason: 'user grant: alice has USE on experiment "team-a-exp"',
  },
  { name: 'contradictory user grants: the lowest wins', facts: facts({ grants: [userGrant('MANAGE'), userGrant('READ')] }), action: 'update', allow: false, level: 'READ', source: 'user-grant' },

  // group grants
  {
    name: 'highest group grant wins',
    facts: facts({ grants: [groupGrant('team-a', 'READ'), groupGrant('team-b', 'EDIT')] }),
    action: 'update',
    allow: true,
    level: 'EDIT',
    source: 'group-grant',
    reason: 'group grant: team-b has EDIT on experiment 12',
  },
  {
    name: 'group grant reason names the resource by name when known',
    resource: { type: 'registered_model', id: 'churn', name: 'churn' },
    facts: facts({ grants: [groupGrant('team-a', 'READ', { resourceType: 'registered_model', resourceId: 'churn' })] }),
    action: 'read',
    allow: true,
    level: 'READ',
    source: 'group-grant',
    reason: 'group grant: team-a has READ on registered_model "churn"',
  },
  {
    name: 'explicit group NO_PERMISSIONS denies even if another group has MANAGE',
    facts: facts({ grants: [groupGrant('team-a', 'MANAGE'), groupGrant('team-b', 'NO_PERMISSIONS')] }),
    action: 'read',
    allow: false,
    level: 'NO_PERMISSIONS',
    source: 'group-grant',
    reason: 'group grant: team-b has NO_PERMISSIONS on experiment 12, overriding grants to other groups; read needs READ',
  },
  {
    name: 'group NO_PERMISSIONS is not lifted by a matching pattern or the default',
    resource: named,
    facts: facts({ grants: [groupGrant('team-b', 'NO_PERMISSIONS')], patterns: [rule('r1', '*', 'MANAGE')], defaultLevel: 'MANAGE' }),
    action: 'read',
    allow: false,
    level: 'NO_PERMISSIONS',
    source: 'group-grant',
  },
  { name: 'grant to a group the subject is not in is ignored', facts: facts({ grants: [groupGrant('team-z', 'MANAGE')] }), action: 'read', allow: false, level: 'NO_PERMISSIONS', source: 'default' },
  { name: 'user grant to another user is ignored', facts: facts({ grants: [userGrant('MANAGE', { principal: 'u-bob' })] }), action: 'read', allow: false, level: 'NO_PERMISSIONS', source: 'default' },

  // grants for other resources
  { name: 'grant on a different experiment is ignored', facts: facts({ grants: [userGrant('MANAGE', { resourceId: '13' })] }), action: 'read', allow: false, level: 'NO_PERMISSIONS', source: 'default' },
  {
    name: 'grant on another resource type with the same id is ignored',
    facts: facts({ grants: [userGrant('MANAGE', { resourceType: 'registered_model' }), groupGrant('team-a', 'MANAGE', { resourceType: 'prompt' })], defaultLevel: 'READ' }),
    action: 'update',
    allow: false,
    level: 'READ',
    source: 'default',
  },
  {
    name: 'a deny for a different resource does not leak onto this one',
    facts: facts({ grants: [groupGrant('team-b', 'NO_PERMISSIONS', { resourceId: '13' }), groupGrant('team-a', 'EDIT')] }),
    action: 'update',
    allow: true,
    level: 'EDIT',
    source: 'group-grant',
  },

  // pattern rules
  {
    name: 'pattern reason names rule, matcher, pattern, principal and resource',
    resource: named,
    facts: facts({ patterns: [rule('r7', 'team-a-*', 'EDIT')] }),
    action: 'update',
    allow: true,
    level: 'EDIT',
    source: 'pattern',
    reason: 'pattern rule r7 (glob "team-a-*") gives group team-a EDIT on experiment "team-a-exp"',
  },
  {
    name: 'user rule beats a more specific group rule',
    resource: named,
    facts: facts({ patterns: [rule('g1', 'team-a-exp', 'MANAGE'), rule('u1', '*', 'READ', { principalType: 'user', principal: 'u-alice' })] }),
    action: 'update',
    allow: false,
    level: 'READ',
    source: 'pattern',
    reason: 'pattern rule u1 (glob "*") gives user alice READ on experiment "team-a-exp"; update needs EDIT',
  },
  {
    name: 'user rule for another user is ignored',
    resource: named,
    facts: facts({ patterns: [rule('u1', '*', 'MANAGE', { principalType: 'user', principal: 'u-bob' }), rule('g1', '*', 'READ')] }),
    action: 'read',
    allow: true,
    level: 'READ',
    source: 'pattern',
    reason: /^pattern rule g1 /,
  },
  {
    name: 'group rule for a group the subject is not in is ignored',
    resource: named,
    facts: facts({ patterns: [rule('g1', '*', 'MANAGE', { principal: 'team-z' })] }),
    action: 'read',
    allow: false,
    level: 'NO_PERMISSIONS',
    source: 'default',
  },
  {
    name: 'most specific pattern wins, even when it is lower',
    resource: named,
    facts: facts({ patterns: [rule('broad', 'team-*', 'MANAGE'), rule('narrow', 'team-a-*', 'READ', { principal: 'team-b' })] }),
    action: 'update',
    allow: false,
    level: 'READ',
    source: 'pattern',
    reason: /^pattern rule narrow /,
  },
  {
    name: 'most specific pattern wins, even when it is higher',
    resource: named,
    facts: facts({ patterns: [rule('broad', 'team-*', 'READ'), rule('narrow', 'team-a-*', 'MANAGE')] }),
    action: 'delete',
    allow: true,
    level: 'MANAGE',
    source: 'pattern',
  },
  {
    name: 'equally specific patterns: the lower level wins (listed high first)',
    resource: named,
    facts: facts({ patterns: [rule('r1', 'team-a-*', 'EDIT'), rule('r2', 'team-a?e*', 'READ')] }),
    action: 'update',
    allow: false,
    level: 'READ',
    source: 'pattern',
    reason: /^pattern rule r2 /,
  },
  {
    name: 'equally specific patterns: the lower level wins (listed low first)',
    resource: named,
    facts: facts({ patterns: [rule('r2', 'team-a?e*', 'READ'), rule('r1', 'team-a-*', 'EDIT')] }),
    action: 'update',
    allow: false,
    level: 'READ',
    source: 'pattern',
    reason: /^pattern rule r2 /,
  },
  {
    name: 'equally specific, equal level: the lower rule id decides',
    resource: named,
    facts: facts({ patterns: [rule('r9', 'team-a?e*', 'EDIT'), rule('r1', 'team-a-*', 'EDIT')] }),
    action: 'update',
    allow: true,
    level: 'EDIT',
    source: 'pattern',
    reason: /^pattern rule r1 /,
  },
  {
    name: 'regex is anchored: team-a does not match xteam-a-y',
    resource: { type: 'experiment', id: '12', name: 'xteam-a-y' },
    facts: facts({ patterns: [rule('rx', 'team-a', 'MANAGE', { matcher: 'regex' })] }),
    action: 'read',
    allow: false,
    level: 'NO_PERMISSIONS',
    source: 'default',
  },
  {
    name: 'regex matches the whole name',
    resource: named,
    facts: facts({ patterns: [rule('rx', 'team-(a|b)-.*', 'EDIT', { matcher: 'regex' })] }),
    action: 'update',
    allow: true,
    level: 'EDIT',
    source: 'pattern',
    reason: 'pattern rule rx (regex "team-(a|b)-.*") gives group team-a EDIT on experiment "team-a-exp"',
  },
  {
    name: 'invalid regex never matches (and does not throw)',
    resource: named,
    facts: facts({ patterns: [rule('bad', 'team-a-(', 'MANAGE', { matcher: 'regex' }), rule('bad2', '(?<', 'MANAGE', { matcher: 'regex' })], defaultLevel: 'READ' }),
    action: 'update',
    allow: false,
    level: 'READ',
    source: 'default',
  },
  {
    name: 'anchor break-out via unbalanced parens never matches',
    resource: { type: 'experiment', id: '12', name: 'anything-at-all' },
    facts: facts({ patterns: [rule('evil', 'zzz)|(.*', 'MANAGE', { matcher: 'regex' })] }),
    action: 'read',
    allow: false,
    level: 'NO_PERMISSIONS',
    source: 'default',
  },
  {
    name: 'glob matching is case-sensitive',
    resource: named,
    facts: facts({ patterns: [rule('r1', 'TEAM-A-*', 'MANAGE')] }),
    action: 'read',
    allow: false,
    level: 'NO_PERMISSIONS',
    source: 'default',
  },
  {
    name: 'pattern for another resource type is ignored',
    resource: named,
    facts: facts({ patterns: [rule('r1', '*', 'MANAGE', { resourceType: 'registered_model' })] }),
    action: 'read',
    allow: false,
    level: 'NO_PERMISSIONS',
    source: 'default',
  },
  {
    name: 'without a name, patterns match against the id',
    resource: exp12,
    facts: facts({ patterns: [rule('r1', '1?', 'USE')] }),
    action: 'use',
    allow: true,
    level: 'USE',
    source: 'pattern',
    reason: 'pattern rule r1 (glob "1?") gives group team-a USE on experiment 12',
  },
  {
    name: 'with a name, patterns do not match against the id',
    resource: named,
    facts: facts({ patterns: [rule('r1', '12', 'USE')] }),
    action: 'use',
    allow: false,
    level: 'NO_PERMISSIONS',
    source: 'default',
  },
  {
    name: 'group grant beats a user pattern rule',
    resource: named,
    facts: facts({ grants: [groupGrant('team-a', 'READ')], patterns: [rule('u1', '*', 'MANAGE', { principalType: 'user', principal: 'u-alice' })] }),
    action: 'update',
    allow: false,
    level: 'READ',
    source: 'group-grant',
  },

  // default
  { name: 'default applies when nothing matches', facts: facts({ defaultLevel: 'READ' }), action: 'read', allow: true, level: 'READ', source: 'default', reason: 'default permission READ' },
  {
    name: 'default NO_PERMISSIONS denies',
    action: 'read',
    allow: false,
    level: 'NO_PERMISSIONS',
    source: 'default',
    reason: 'default permission NO_PERMISSIONS; read needs READ',
  },
  { name: 'default does not raise a lower group grant', facts: facts({ grants: [groupGrant('team-a', 'READ')], defaultLevel: 'MANAGE' }), action: 'update', allow: false, level: 'READ', source: 'group-grant' },
  {
    name: 'default does not raise a lower pattern rule',
    resource: named,
    facts: facts({ patterns: [rule('r1', '*', 'READ')], defaultLevel: 'EDIT' }),
    action: 'update',
    allow: false,
    level: 'READ',
    source: 'pattern',
  },
  {
    name: 'default is not used when only non-matching facts exist',
    resource: named,
    facts: facts({ grants: [userGrant('NO_PERMISSIONS', { resourceId: '13' })], patterns: [rule('r1', 'other-*', 'NO_PERMISSIONS')], defaultLevel: 'USE' }),
    action: 'use',
    allow: true,
    level: 'USE',
    source: 'default',
  },

  // token limits for ordinary users
  { name: 'read-only token can read', subject: { ...alice, maxLevel: 'READ' }, facts: facts({ grants: [userGrant('EDIT')] }), action: 'read', allow: true, level: 'READ', source: 'token-read-only' },
  {
    name: 'read-only token cannot update',
    subject: { ...alice, maxLevel: 'READ' },
    facts: facts({ grants: [userGrant('EDIT')] }),
    action: 'update',
    allow: false,
    level: 'READ',
    source: 'token-read-only',
    reason: 'token is read-only (READ) instead of EDIT (user grant: alice has EDIT on experiment 12); update needs EDIT',
  },
  {
    name: 'read-only token does not claim a decision it did not change (READ grant)',
    subject: { ...alice, maxLevel: 'READ' },
    facts: facts({ grants: [userGrant('READ')] }),
    action: 'read',
    allow: true,
    level: 'READ',
    source: 'user-grant',
  },
  { name: 'read-only token never raises NO_PERMISSIONS', subject: { ...alice, maxLevel: 'READ' }, action: 'read', allow: false, level: 'NO_PERMISSIONS', source: 'default' },
  {
    name: 'USE-capped token is described as a limit, not read-only',
    subject: { ...alice, maxLevel: 'USE' },
    facts: facts({ grants: [userGrant('MANAGE')] }),
    action: 'use',
    allow: true,
    level: 'USE',
    source: 'token-read-only',
    reason: /^token is limited to USE instead of MANAGE/,
  },
  {
    name: 'scoped token inside scope uses the normal precedence',
    subject: { ...alice, scope: [{ type: 'experiment', id: '12' }] },
    facts: facts({ grants: [userGrant('EDIT')] }),
    action: 'update',
    allow: true,
    level: 'EDIT',
    source: 'user-grant',
  },
  {
    name: 'scoped token outside scope is denied despite a MANAGE grant',
    subject: { ...alice, scope: [{ type: 'experiment', id: '13' }] },
    facts: facts({ grants: [userGrant('MANAGE')] }),
    action: 'read',
    allow: false,
    level: 'NO_PERMISSIONS',
    source: 'token-scope',
  },
  {
    name: 'scope entry with the same id but another type does not cover the resource',
    subject: { ...alice, scope: [{ type: 'registered_model', id: '12' }] },
    facts: facts({ grants: [userGrant('MANAGE')] }),
    action: 'read',
    allow: false,
    level: 'NO_PERMISSIONS',
    source: 'token-scope',
  },
  { name: 'empty scope covers nothing', subject: { ...alice, scope: [] }, facts: facts({ defaultLevel: 'MANAGE' }), action: 'read', allow: false, level: 'NO_PERMISSIONS', source: 'token-scope' },
  {
    name: 'scope and read-only together: out of scope wins',
    subject: { ...alice, maxLevel: 'READ', scope: [{ type: 'experiment', id: '13' }] },
    facts: facts({ grants: [userGrant('MANAGE')] }),
    action: 'read',
    allow: false,
    level: 'NO_PERMISSIONS',
    source: 'token-scope',
  },
  {
    name: 'scope and read-only together: in scope is still read-only',
    subject: { ...alice, maxLevel: 'READ', scope: [{ type: 'experiment', id: '12' }] },
    facts: facts({ grants: [userGrant('MANAGE')] }),
    action: 'delete',
    allow: false,
    level: 'READ',
    source: 'token-read-only',
  },

  // action thresholds, spelled out (also covered by the matrix)
  { name: 'EDIT can update', facts: facts({ grants: [groupGrant('team-a', 'EDIT')] }), action: 'update', allow: true, level: 'EDIT', source: 'group-grant' },
  { name: 'EDIT cannot delete', facts: facts({ grants: [groupGrant('team-a', 'EDIT')] }), action: 'delete', allow: false, level: 'EDIT', source: 'group-grant', reason: /; delete needs MANAGE$/ },
  { name: 'MANAGE can delete', facts: facts({ grants: [groupGrant('team-a', 'MANAGE')] }), action: 'delete', allow: true, level: 'MANAGE', source: 'group-grant' },
  { name: 'USE can use', facts: facts({ grants: [groupGrant('team-a', 'USE')] }), action: 'use', allow: true, level: 'USE', source: 'group-grant' },
  { name: 'USE cannot update', facts: facts({ grants: [groupGrant('team-a', 'USE')] }), action: 'update', allow: false, level: 'USE', source: 'group-grant', reason: /; update needs EDIT$/ },

  // explicit DENY: beats every grant and rule from every source except administrator
  {
    name: 'group DENY beats a MANAGE user grant',
    facts: facts({ grants: [userGrant('MANAGE'), groupGrant('team-b', 'DENY')] }),
    action: 'read', allow: false, level: 'NO_PERMISSIONS', source: 'deny',
    reason: 'DENY: group grant denies group team-b on experiment 12; read needs READ',
  },
  {
    name: 'user DENY beats group grants and a READ default',
    facts: facts({ grants: [userGrant('DENY'), groupGrant('team-a', 'MANAGE')], defaultLevel: 'READ' }),
    action: 'read', allow: false, level: 'NO_PERMISSIONS', source: 'deny', reason: /^DENY: user grant denies user alice on experiment 12/,
  },
  {
    name: 'DENY pattern rule beats a direct user grant',
    resource: named,
    facts: facts({ grants: [userGrant('EDIT')], patterns: [rule('r-deny', '*', 'DENY', { principalType: 'group', principal: 'team-b' })] }),
    action: 'read', allow: false, level: 'NO_PERMISSIONS', source: 'deny', reason: /^DENY: pattern rule r-deny \(glob "\*"\) denies group team-b on experiment "team-a-exp"/,
  },
  {
    name: 'a DENY pattern rule that does not match the name changes nothing',
    resource: named,
    facts: facts({ grants: [groupGrant('team-a', 'READ')], patterns: [rule('r-deny', 'other-*', 'DENY')] }),
    action: 'read', allow: true, level: 'READ', source: 'group-grant',
  },
  {
    name: 'a DENY for another group changes nothing',
    facts: facts({ grants: [groupGrant('team-a', 'READ'), groupGrant('team-z', 'DENY')] }),
    action: 'read', allow: true, level: 'READ', source: 'group-grant',
  },
  {
    name: 'admin bypasses DENY',
    subject: { ...admin, groups: ['team-a'] },
    facts: facts({ grants: [groupGrant('team-a', 'DENY'), userGrant('DENY', { principal: 'u-root' })] }),
    action: 'manage', allow: true, level: 'MANAGE', source: 'admin',
  },

  // child grants: the child decides when it has a grant, else the parent
  {
    name: 'a run grant opens a run of an unreadable experiment',
    resource: run7,
    facts: facts({ grants: [userGrant('READ', { resourceType: 'run', resourceId: 'r7' })] }),
    action: 'read', allow: true, level: 'READ', source: 'user-grant', reason: 'user grant: alice has READ on run r7',
  },
  {
    name: 'without a child grant the parent decides',
    resource: run7,
    facts: facts({ grants: [groupGrant('team-a', 'EDIT'), userGrant('READ', { resourceType: 'run', resourceId: 'r8' })] }),
    action: 'update', allow: true, level: 'EDIT', source: 'group-grant', reason: 'group grant: team-a has EDIT on experiment 12',
  },
  {
    name: 'a child grant lowers what the parent gives',
    resource: run7,
    facts: facts({ grants: [groupGrant('team-a', 'MANAGE'), groupGrant('team-a', 'READ', { resourceType: 'run', resourceId: 'r7' })] }),
    action: 'update', allow: false, level: 'READ', source: 'group-grant', reason: /on run r7; update needs EDIT$/,
  },
  {
    name: 'a child pattern rule decides before the parent grant',
    resource: { ...run7, name: 'nightly-3' },
    facts: facts({ grants: [userGrant('MANAGE')], patterns: [rule('runs', 'nightly-*', 'READ', { resourceType: 'run' })] }),
    action: 'update', allow: false, level: 'READ', source: 'pattern',
  },
  {
    name: 'a DENY on the child beats the parent grant',
    resource: run7,
    facts: facts({ grants: [userGrant('MANAGE'), groupGrant('team-b', 'DENY', { resourceType: 'run', resourceId: 'r7' })] }),
    action: 'read', allow: false, level: 'NO_PERMISSIONS', source: 'deny', reason: /^DENY: group grant denies group team-b on run r7/,
  },
  {
    name: 'a DENY on the parent denies the child despite a child grant',
    resource: run7,
    facts: facts({ grants: [groupGrant('team-a', 'DENY'), userGrant('MANAGE', { resourceType: 'run', resourceId: 'r7' })] }),
    action: 'read', allow: false, level: 'NO_PERMISSIONS', source: 'deny', reason: /^DENY: group grant denies group team-a on run r7's parent experiment 12/,
  },
  {
    name: 'an administrator\'s override on the child lifts the parent DENY for that child',
    resource: run7,
    facts: facts({ grants: [groupGrant('team-a', 'DENY'), userGrant('READ', { resourceType: 'run', resourceId: 'r7', overrideParentDeny: true })] }),
    action: 'read', allow: true, level: 'READ', source: 'user-grant', reason: 'user grant: alice has READ on run r7',
  },
  {
    name: 'an override never lifts a DENY on the child itself',
    resource: run7,
    facts: facts({ grants: [groupGrant('team-b', 'DENY', { resourceType: 'run', resourceId: 'r7' }), userGrant('READ', { resourceType: 'run', resourceId: 'r7', overrideParentDeny: true })] }),
    action: 'read', allow: false, level: 'NO_PERMISSIONS', source: 'deny',
  },
  {
    name: 'a model-version grant does not open its model\'s other versions',
    resource: { type: 'model_version', id: 'fraud/2', parent: { type: 'registered_model', id: 'fraud', name: 'fraud' } },
    facts: facts({ grants: [userGrant('READ', { resourceType: 'model_version', resourceId: 'fraud/1' })] }),
    action: 'read', allow: false, level: 'NO_PERMISSIONS', source: 'default',
  },
  {
    name: 'a token scoped to the experiment reaches its runs',
    subject: { ...alice, scope: [{ type: 'experiment', id: '12' }] },
    resource: run7,
    facts: facts({ grants: [userGrant('READ')] }),
    action: 'read', allow: true, level: 'READ', source: 'user-grant',
  },
  {
    name: 'a token scoped to one run does not reach the experiment\'s other runs',
    subject: { ...alice, scope: [{ type: 'run', id: 'r8' }] },
    resource: run7,
    facts: facts({ grants: [userGrant('READ')] }),
    action: 'read', allow: false, level: 'NO_PERMISSIONS', source: 'token-scope',
  },
];

describe('decide: precedence table', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const d = decide(c.subject ?? alice, c.action, c.resource ?? exp12, c.facts ?? noFacts);
    expect({ allow: d.allow, level: d.level, source: d.source }).toEqual({ allow: c.allow, level: c.level, source: c.source });
    expect(d.required).toBe(REQUIRED[c.action]);
    if (typeof c.reason === 'string') expect(d.reason).toBe(c.reason);
    else if (c.reason !== undefined) expect(d.reason).toMatch(c.reason);
    // A denial always says what the action needed; an allow never does.
    expect(d.reason.endsWith(`; ${c.action} needs ${REQUIRED[c.action]}`)).toBe(!d.allow);
  });

  it('covers every level × every action', () => {
    expect(levelActionMatrix).toHaveLength(LEVELS.length * ACTIONS.length);
  });
});

// --- explain --------------------------------------------------------------------------------

describe('explain', () => {
  it('lists every grant and rule with whether it matched and which one decided', () => {
    const f = facts({
      grants: [groupGrant('team-a', 'READ'), groupGrant('team-b', 'EDIT'), groupGrant('team-z', 'MANAGE'), userGrant('MANAGE', { resourceId: '13' })],
      patterns: [rule('r1', 'team-a-*', 'MANAGE'), rule('r2', 'nope-*', 'MANAGE'), rule('r3', '(', 'MANAGE', { matcher: 'regex' })],
      defaultLevel: 'USE',
    });
    const { decision, considered } = explain(alice, 'update', named, f);
    expect(decision).toEqual(decide(alice, 'update', named, f));
    expect(decision.source).toBe('group-grant');

    expect(considered.grants.map((g) => [g.grant.principal, g.matched, g.decisive])).toEqual([
      ['team-a', true, false],
      ['team-b', true, true],
      ['team-z', false, false],
      ['u-alice', false, false],
    ]);
    expect(considered.grants[0]?.note).toBe('outranked by another group grant');
    expect(considered.grants[2]?.note).toMatch(/not in/);
    expect(considered.grants[3]?.note).toBe('for another resource (experiment 13)');

    expect(considered.patterns.map((r) => [r.rule.id, r.matched, r.decisive])).toEqual([
      ['r1', true, false],
      ['r2', false, false],
      ['r3', false, false],
    ]);
    expect(considered.patterns[0]?.note).toMatch(/earlier step/);
    expect(considered.patterns[1]?.note).toBe('glob "nope-*" does not match "team-a-exp"');
    expect(considered.patterns[2]?.note).toMatch(/^unusable pattern, never matches: invalid regular expression/);
    expect(considered.patterns[0]?.specificity).toBe(7);
    expect(considered.patternSubject).toBe('team-a-exp');
    expect(considered.defaultLevel).toBe('USE');
    expect(considered.beforeToken).toEqual({ level: 'EDIT', source: 'group-grant' });
    expect(considered.token).toEqual({ scope: 'unscoped', maxLevel: null, lowered: false });
  });

  it('marks the winning pattern and the outranked ones', () => {
    const f = facts({ patterns: [rule('broad', 'team-*', 'MANAGE'), rule('narrow', 'team-a-*', 'READ')] });
    const { considered } = explain(alice, 'read', named, f);
    expect(considered.patterns.map((r) => [r.rule.id, r.matched, r.decisive, r.note])).toEqual([
      ['broad', true, false, 'outranked by a better rule'],
      ['narrow', true, true, 'decided the base level'],
    ]);
  });

  it('reports token effects', () => {
    const ro = explain({ ...admin, maxLevel: 'READ' }, 'read', exp12, noFacts).considered;
    expect(ro.beforeToken).toEqual({ level: 'MANAGE', source: 'admin' });
    expect(ro.token).toEqual({ scope: 'unscoped', maxLevel: 'READ', lowered: true });
    const scoped = explain({ ...alice, scope: [{ type: 'experiment', id: '1' }] }, 'read', exp12, noFacts).considered;
    expect(scoped.token.scope).toBe('out-of-scope');
    const inScope = explain({ ...alice, scope: [{ type: 'experiment', id: '12' }] }, 'read', exp12, noFacts).considered;
    expect(inScope.token.scope).toBe('in-scope');
  });

  it('notes that an admin needed no grant', () => {
    const { considered } = explain({ ...admin, groups: ['team-a'] }, 'read', exp12, facts({ grants: [groupGrant('team-a', 'READ')] }));
    expect(considered.admin).toBe(true);
    expect(considered.grants[0]).toMatchObject({ matched: true, decisive: false, note: 'not needed: administrator' });
  });
});

// --- properties -----------------------------------------------------------------------------

const GROUPS = ['team-a', 'team-b', 'team-c'];
const USERS = ['u-alice', 'u-bob'];
const arbLevel = fc.constantFrom(...LEVELS);
const arbGrantLevel = fc.constantFrom(...GRANT_LEVELS);
const arbAction = fc.constantFrom(...ACTIONS);
const arbType = fc.constantFrom(...RESOURCE_TYPES.slice(0, 2));
const arbId = fc.constantFrom('1', '2', 'churn');

const arbSubject: fc.Arbitrary<Subject> = fc.record({
  userId: fc.constantFrom(...USERS),
  username: fc.constant('someone'),
  groups: fc.subarray(GROUPS),
  isAdmin: fc.boolean(),
  maxLevel: fc.option(arbLevel, { nil: undefined }),
  scope: fc.option(fc.array(fc.record({ type: arbType, id: arbId }), { maxLength: 3 }), { nil: undefined }),
});
const arbParent: fc.Arbitrary<Resource> = fc.record({
  type: arbType,
  id: arbId,
  name: fc.option(fc.constantFrom('team-a-exp', 'team-b-model', 'churn', 'xteam-a-y'), { nil: undefined }),
});
// A parent, or a run / model version under one (child types are 'run' and 'model_version' here).
const arbResource: fc.Arbitrary<Resource> = fc.oneof(
  arbParent,
  fc.record({
    type: fc.constant('run' as const),
    id: fc.constantFrom('r1', 'r2'),
    name: fc.option(fc.constantFrom('nightly-1', 'team-a-run'), { nil: undefined }),
    parent: arbParent,
  }),
);
const arbGrantType = fc.constantFrom('experiment' as const, 'registered_model' as const, 'run' as const);
const arbGrantId = fc.constantFrom('1', '2', 'churn', 'r1', 'r2');
const arbGrant: fc.Arbitrary<Grant> = fc.record({
  principalType: fc.constantFrom('user' as const, 'group' as const),
  resourceType: arbGrantType,
  resourceId: arbGrantId,
  level: arbGrantLevel,
  overrideParentDeny: fc.option(fc.boolean(), { nil: undefined }),
}).chain((g) => fc.constantFrom(...(g.principalType === 'user' ? USERS : GROUPS)).map((principal) => ({ ...g, principal })));
const arbRuleBody = fc.record({
  principalType: fc.constantFrom('user' as const, 'group' as const),
  principal: fc.constantFrom(...USERS, ...GROUPS),
  resourceType: arbGrantType,
  matcher: fc.constantFrom('glob' as const, 'regex' as const),
  pattern: fc.constantFrom('*', 'team-*', 'team-a-*', 'team-?-*', 'team-(a|b)-.*', 'team-a', '(', 'c*', '.*', 'nightly-*'),
  level: arbGrantLevel,
});
// Unique ids: the id is the final tie-breaker, so duplicates could legitimately be order-dependent.
const arbFacts: fc.Arbitrary<PolicyFacts> = fc.record({
  grants: fc.array(arbGrant, { maxLength: 6 }),
  patterns: fc.array(arbRuleBody, { maxLength: 5 }).map((rs) => rs.map((r, i): PatternRule => ({ ...r, id: `r${i}` }))),
  defaultLevel: arbLevel,
});

describe('decide: properties', () => {
  it('allow is exactly "level ≥ required", and required follows the action', () => {
    fc.assert(
      fc.property(arbSubject, arbAction, arbResource, arbFacts, (s, a, r, f) => {
        const d = decide(s, a, r, f);
        expect(d.required).toBe(requiredLevel(a));
        expect(d.allow).toBe(atLeast(d.level, d.required));
      }),
    );
  });

  it('a token never grants more than its cap, and never anything outside its scope', () => {
    fc.assert(
      fc.property(arbSubject, arbAction, arbResource, arbFacts, (s, a, r, f) => {
        const d = decide(s, a, r, f);
        if (s.maxLevel !== undefined) expect(levelRank(d.level)).toBeLessThanOrEqual(levelRank(s.maxLevel));
        const reaches = (x: Resource | undefined): boolean => x !== undefined && (s.scope ?? []).some((y) => y.type === x.type && y.id === x.id);
        if (s.scope !== undefined && !reaches(r) && !reaches(r.parent)) {
          expect(d).toMatchObject({ allow: false, level: 'NO_PERMISSIONS', source: 'token-scope' });
        }
      }),
    );
  });

  it('facts about other resources or other principals never change the decision', () => {
    fc.assert(
      fc.property(arbSubject, arbAction, arbResource, arbFacts, (s, a, r, f) => {
        const on = (type: string, id?: string) => [r, r.parent].some((x) => x !== undefined && x.type === type && (id === undefined || x.id === id));
        const mine = (p: { principalType: string; principal: string }) => (p.principalType === 'user' ? p.principal === s.userId : s.groups.includes(p.principal));
        const relevant: PolicyFacts = {
          ...f,
          grants: f.grants.filter((g) => on(g.resourceType, g.resourceId) && mine(g)),
          patterns: f.patterns.filter((p) => on(p.resourceType) && mine(p)),
        };
        expect(decide(s, a, r, f)).toEqual(decide(s, a, r, relevant));
      }),
    );
  });

  it('the order of grants and rules does not matter', () => {
    fc.assert(
      fc.property(
        arbSubject,
        arbAction,
        arbResource,
        arbFacts.chain((f) =>
          fc.tuple(fc.constant(f), fc.shuffledSubarray([...f.grants], { minLength: f.grants.length }), fc.shuffledSubarray([...f.patterns], { minLength: f.patterns.length })),
        ),
        (s, a, r, [f, grants, patterns]) => {
          expect(decide(s, a, r, { ...f, grants, patterns })).toEqual(decide(s, a, r, f));
        },
      ),
    );
  });

  it('explain gives the same decision as decide', () => {
    fc.assert(
      fc.property(arbSubject, arbAction, arbResource, arbFacts, (s, a, r, f) => {
        const e = explain(s, a, r, f);
        expect(e.decision).toEqual(decide(s, a, r, f));
        expect(e.considered.grants).toHaveLength(f.grants.length);
        expect(e.considered.patterns).toHaveLength(f.patterns.length);
        expect(e.considered.grants.filter((g) => g.decisive).length + e.considered.patterns.filter((p) => p.decisive).length).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('a DENY of the subject on the resource always denies, whatever else holds (non-admins)', () => {
    fc.assert(
      fc.property(arbSubject, arbAction, arbResource, arbFacts, fc.boolean(), (s, a, r, f, asGroup) => {
        const subject = { ...s, isAdmin: false, groups: asGroup ? [...new Set([...s.groups, 'team-a'])] : s.groups };
        const deny: Grant = asGroup
          ? { principalType: 'group', principal: 'team-a', resourceType: r.type, resourceId: r.id, level: 'DENY' }
          : { principalType: 'user', principal: subject.userId, resourceType: r.type, resourceId: r.id, level: 'DENY' };
        const d = decide(subject, a, r, { ...f, grants: [...f.grants, deny] });
        expect(d.allow).toBe(false);
        expect(d.level).toBe('NO_PERMISSIONS');
      }),
    );
  });

  it('a DENY on the parent denies the child unless a grant on the child to the subject overrides it', () => {
    fc.assert(
      fc.property(arbSubject, arbAction, arbResource, arbFacts, (s, a, r, f) => {
        if (r.parent === undefined) return;
        const subject = { ...s, isAdmin: false };
        const deny: Grant = { principalType: 'user', principal: subject.userId, resourceType: r.parent.type, resourceId: r.parent.id, level: 'DENY' };
        const d = decide(subject, a, r, { ...f, grants: [...f.grants, deny] });
        const overridden = f.grants.some(
          (g) => g.overrideParentDeny === true && g.resourceType === r.type && g.resourceId === r.id && (g.principalType === 'user' ? g.principal === subject.userId : subject.groups.includes(g.principal)),
        );
        if (!overridden) expect(d).toMatchObject({ allow: false, level: 'NO_PERMISSIONS' });
      }),
    );
  });

  it('removing a DENY never lowers the level (DENY only takes away)', () => {
    fc.assert(
      fc.property(arbSubject, arbAction, arbResource, arbFacts, (s, a, r, f) => {
        const withDeny = decide(s, a, r, f);
        const without = decide(s, a, r, { ...f, grants: f.grants.filter((g) => g.level !== 'DENY'), patterns: f.patterns.filter((p) => p.level !== 'DENY') });
        expect(levelRank(without.level)).toBeGreaterThanOrEqual(levelRank(withDeny.level));
        if (withDeny.source !== 'deny') expect(without).toEqual(withDeny);
      }),
    );
  });

  it('admins get MANAGE unless a token narrows it', () => {
    fc.assert(
      fc.property(arbSubject, arbAction, arbResource, arbFacts, (s, a, r, f) => {
        const d = decide({ ...s, isAdmin: true, maxLevel: undefined, scope: undefined }, a, r, f);
        expect(d).toMatchObject({ allow: true, level: 'MANAGE', source: 'admin' });
      }),
    );
  });
});
