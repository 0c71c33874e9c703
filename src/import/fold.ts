// The old products fold every grant that reaches a user into the highest one (an explicit DENY
// wins); the gateway decides by precedence (a user grant overrides group grants, grants beat
// pattern rules, among rules the user's beat the group's). Both agree on most data, but not on
// all: a user READ grant beside a role's EDIT grant is EDIT there and READ here. This finds every
// such (user, resource) and adds the user grant or rule that makes the gateway's decision the old
// one, so nobody gains or loses access on the day of the switch. Pure: the policy is asked, not
// re-implemented.
import { decide, type Grant, type GrantLevel, type Level, type PatternRule, type ResourceType } from '../policy/index.js';
import { addGrant, addPattern, type ImportPlan, type PlannedGrant } from './plan.js';

const RANK: Record<Level, number> = { NO_PERMISSIONS: 0, READ: 1, USE: 2, EDIT: 3, MANAGE: 4 };
const NOWHERE = '\u0000no-specific-grant';

/**
 * What MLflow decides from the grants that reach a user: the highest level, an explicit DENY
 * winning (a denied user holds nothing, which is what the gateway's decision says for its DENY).
 */
function fold(levels: GrantLevel[]): Level | null {
  if (levels.length === 0) return null;
  if (levels.includes('DENY')) return 'NO_PERMISSIONS';
  return (levels as Level[]).reduce((a, b) => (RANK[b] > RANK[a] ? b : a));
}

export function alignWithOldDecisions(plan: ImportPlan, opts: { admins: ReadonlySet<string>; membersOf: (username: string) => string[] }): void {
  const people = plan.users.filter((u) => !opts.admins.has(u.username)).map((u) => u.username);
  const types = new Set<ResourceType>([...plan.grants.map((g) => g.resourceType), ...plan.patterns.map((p) => p.resourceType)]);
  for (const username of people) {
    const groups = opts.membersOf(username);
    const reaches = (p: { principalType: 'user' | 'group'; principal: string }) => (p.principalType === 'user' ? p.principal === username : groups.includes(p.principal));
    for (const type of types) {
      const wildcards = plan.patterns.filter((p) => p.resourceType === type && p.matcher === 'glob' && p.pattern === '*' && reaches(p));
      const others = plan.patterns.filter((p) => p.resourceType === type && !(p.matcher === 'glob' && p.pattern === '*'));
      if (others.length > 0) continue; // name patterns need names; reported, not folded (see the report)
      const ids = new Set(plan.grants.filter((g) => g.resourceType === type && reaches(g)).map((g) => g.resourceId));
      for (const id of [...ids, NOWHERE]) {
        const rows = [...plan.grants.filter((g) => g.resourceType === type && g.resourceId === id && reaches(g)).map((g) => g.level), ...wildcards.map((w) => w.level)];
        const old = fold(rows);
        if (old === null) continue;
        const now = gatewayLevel(plan, username, groups, type, id);
        if (now === old) continue;
        if (id === NOWHERE) {
          addPattern(plan, { principalType: 'user', principal: username, resourceType: type, matcher: 'glob', pattern: '*', level: old, from: `folded: ${username}'s roles give ${old} on every ${type}` });
        } else {
          const g: PlannedGrant = { principalType: 'user', principal: username, resourceType: type, resourceId: id, level: old, from: `folded: ${username}'s grants and roles give ${old} (the gateway would decide ${now})` };
          const i = plan.grants.findIndex((x) => x.principalType === 'user' && x.principal === username && x.resourceType === type && x.resourceId === id);
          if (i >= 0) plan.grants[i] = g;
          else addGrant(plan, g);
        }
        plan.notes.push(`${username} on ${type} ${id === NOWHERE ? '*' : id}: the old product decides ${old}, the gateway's precedence alone would give ${now}; a user ${id === NOWHERE ? 'rule' : 'grant'} at ${old} keeps it`);
      }
    }
  }
}

function gatewayLevel(plan: ImportPlan, username: string, groups: string[], type: ResourceType, id: string): Level {
  const grants: Grant[] = plan.grants.filter((g) => g.resourceType === type && g.resourceId === id)
    .map((g) => ({ principalType: g.principalType, principal: g.principal, resourceType: g.resourceType, resourceId: g.resourceId, level: g.level }));
  const patterns: PatternRule[] = plan.patterns.filter((p) => p.resourceType === type)
    .map((p, i) => ({ id: String(i), principalType: p.principalType, principal: p.principal, resourceType: p.resourceType, matcher: p.matcher, pattern: p.pattern, level: p.level }));
  const subject = { userId: username, username, groups, isAdmin: false };
  // The default level is never reached here: at least one grant or rule applies (old !== null).
  return decide(subject, 'read', { type, id, name: id }, { grants, patterns, defaultLevel: 'NO_PERMISSIONS' }).level;
}
