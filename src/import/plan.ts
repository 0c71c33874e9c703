// What an import would write, as data: built by a reader of the old product's database
// (basic-auth.ts, mlflow-oidc-auth.ts), shown as the dry-run report, written by apply.ts. Principals
// are named (usernames, group names), never by the old product's ids, which mean nothing here.
import type { GrantLevel, ResourceType } from '../policy/index.js';

export interface PlannedUser {
  readonly username: string;
  /** Machines become service accounts (no IdP identity); people are recorded ahead of sign-in. */
  readonly kind: 'person' | 'service';
  /** Administrator in the old product (applied through groups here: see the notes). */
  readonly wasAdmin: boolean;
  /** Groups of a service account (people's groups come from the IdP at each sign-in). */
  readonly groups?: readonly string[];
}

export interface PlannedGrant {
  readonly principalType: 'user' | 'group';
  readonly principal: string;
  readonly resourceType: ResourceType;
  readonly resourceId: string;
  readonly level: GrantLevel;
  /** Where it came from in the old database, for the report. */
  readonly from: string;
}

export interface PlannedPattern {
  readonly principalType: 'user' | 'group';
  readonly principal: string;
  readonly resourceType: ResourceType;
  readonly matcher: 'glob' | 'regex';
  readonly pattern: string;
  readonly level: GrantLevel;
  readonly from: string;
  /** The old product's priority, when it had one (reported; the gateway orders rules itself). */
  readonly priority?: number;
}

/**
 * An MLflow role imported as a gateway role (src/auth-api/roles.ts). Until it has an id here, its
 * grants and rules in the plan name the placeholder group `rolePlaceholder(workspace, name)`;
 * apply.ts creates (or finds) the record and writes them to its reserved group `mlflow-role:<id>`.
 */
export interface PlannedRole {
  readonly name: string;
  readonly workspace: string;
  readonly description: string | null;
  /** Usernames assigned the role there. */
  readonly members: string[];
}

export const rolePlaceholder = (workspace: string, name: string): string => `mlflow-role:${workspace}/${name}`;

export interface ImportPlan {
  readonly source: 'basic-auth' | 'mlflow-oidc-auth';
  readonly users: PlannedUser[];
  /** Group → members, as the old product recorded them (membership itself lives at the IdP). */
  readonly groups: Map<string, Set<string>>;
  readonly grants: PlannedGrant[];
  readonly patterns: PlannedPattern[];
  /** Old roles and what each became. */
  readonly roles: { name: string; workspace: string; becomes: string }[];
  /** Roles kept as roles (basic-auth); their permissions are the plan's grants and rules of their placeholder. */
  readonly roleRecords: PlannedRole[];
  readonly workspaces: string[];
  readonly defaultPermission?: { value: string; from: string };
  /** Things that cannot be carried over, and why. */
  readonly unmapped: { item: string; reason: string }[];
  /** Things the operator must do by hand (admin groups, group membership at the IdP…). */
  readonly notes: string[];
  /** Accounts whose old access tokens stop working: they need new personal access tokens. */
  readonly needNewTokens: string[];
}

export function emptyPlan(source: ImportPlan['source']): ImportPlan {
  return { source, users: [], groups: new Map(), grants: [], patterns: [], roles: [], roleRecords: [], workspaces: [], unmapped: [], notes: [], needNewTokens: [] };
}

const RANK: Record<GrantLevel, number> = { DENY: -1, NO_PERMISSIONS: 0, READ: 1, USE: 2, EDIT: 3, MANAGE: 4 };

/**
 * Adds a grant, keeping one per (principal, resource): two sources for the same grant (3.17.2's
 * role_permissions and the older per-resource tables) fold like the old product folds them: the
 * highest level, an explicit DENY winning.
 */
export function addGrant(plan: ImportPlan, g: PlannedGrant, fold: 'max' | 'deny-wins' = 'deny-wins'): void {
  const i = plan.grants.findIndex((x) => x.principalType === g.principalType && x.principal === g.principal && x.resourceType === g.resourceType && x.resourceId === g.resourceId);
  if (i < 0) {
    plan.grants.push(g);
    return;
  }
  const old = plan.grants[i]!;
  const keepOld = fold === 'deny-wins' && old.level === 'DENY' ? true
    : fold === 'deny-wins' && g.level === 'DENY' ? false
    : RANK[old.level] >= RANK[g.level];
  if (!keepOld) plan.grants[i] = { ...g, from: `${g.from}; ${old.from}` };
}

export function addPattern(plan: ImportPlan, p: PlannedPattern): void {
  const same = plan.patterns.find((x) => x.principalType === p.principalType && x.principal === p.principal && x.resourceType === p.resourceType && x.matcher === p.matcher && x.pattern === p.pattern);
  if (!same) plan.patterns.push(p);
  else if (same.level !== 'DENY' && (p.level === 'DENY' || RANK[p.level] > RANK[same.level])) plan.patterns[plan.patterns.indexOf(same)] = p;
}
