// The JSON shapes of the admin API (snake_case, like MLflow's REST API). Users appear by username;
// the stored user id is included for user principals so two records can be told apart.
import type { Explanation, Grant, PatternRule } from '../policy/index.js';
import type { Store, User } from '../store/index.js';
import { usernameLookup } from './principals.js';

export interface GrantJson {
  principal_type: 'user' | 'group';
  principal: string;
  user_id?: string;
  resource_type: string;
  resource_id: string;
  level: string;
  /** Present (true) only on a child grant that decides even under a DENY on the parent. */
  override_parent_deny?: true;
}

export interface PatternJson {
  id: string;
  principal_type: 'user' | 'group';
  principal: string;
  user_id?: string;
  resource_type: string;
  matcher: string;
  pattern: string;
  level: string;
}

type Lookup = ReturnType<typeof usernameLookup>;

export async function grantJson(lookup: Lookup, g: Grant): Promise<GrantJson> {
  return {
    principal_type: g.principalType,
    principal: await lookup(g.principalType, g.principal),
    ...(g.principalType === 'user' ? { user_id: g.principal } : {}),
    resource_type: g.resourceType,
    resource_id: g.resourceId,
    level: g.level,
    ...(g.overrideParentDeny === true ? { override_parent_deny: true as const } : {}),
  };
}

export async function patternJson(lookup: Lookup, r: PatternRule): Promise<PatternJson> {
  return {
    id: r.id,
    principal_type: r.principalType,
    principal: await lookup(r.principalType, r.principal),
    ...(r.principalType === 'user' ? { user_id: r.principal } : {}),
    resource_type: r.resourceType,
    matcher: r.matcher,
    pattern: r.pattern,
    level: r.level,
  };
}

export async function grantsJson(store: Store, grants: readonly Grant[]): Promise<GrantJson[]> {
  const lookup = usernameLookup(store);
  return Promise.all(grants.map((g) => grantJson(lookup, g)));
}

export async function patternsJson(store: Store, rules: readonly PatternRule[]): Promise<PatternJson[]> {
  const lookup = usernameLookup(store);
  return Promise.all(rules.map((r) => patternJson(lookup, r)));
}

export function userJson(u: User): Record<string, unknown> {
  return {
    id: u.id, username: u.username, email: u.email, display_name: u.displayName, groups: u.groups, is_admin: u.isAdmin,
    disabled: u.disabled, kind: u.kind, created_at: u.createdAt.toISOString(), last_login_at: u.lastLoginAt?.toISOString() ?? null,
    // The identity provider of the latest sign-in (null for service accounts, and until a first sign-in after upgrading).
    provider: u.provider,
  };
}

export interface ExplanationJson {
  decision: Explanation['decision'];
  considered: {
    admin: boolean;
    grants: { grant: GrantJson; matched: boolean; decisive: boolean; note: string }[];
    pattern_subject: string;
    patterns: { rule: PatternJson; matched: boolean; decisive: boolean; specificity: number; note: string }[];
    default_level: string;
    before_token: Explanation['considered']['beforeToken'];
    token: { scope: string; max_level: string | null; lowered: boolean };
  };
}

/** The policy's explanation with usernames in place of user ids. */
export async function explanationJson(store: Store, e: Explanation): Promise<ExplanationJson> {
  const lookup = usernameLookup(store);
  const c = e.considered;
  return {
    decision: e.decision,
    considered: {
      admin: c.admin,
      grants: await Promise.all(c.grants.map(async (g) => ({ grant: await grantJson(lookup, g.grant), matched: g.matched, decisive: g.decisive, note: g.note }))),
      pattern_subject: c.patternSubject,
      patterns: await Promise.all(c.patterns.map(async (p) => ({
        rule: await patternJson(lookup, p.rule), matched: p.matched, decisive: p.decisive, specificity: p.specificity, note: p.note,
      }))),
      default_level: c.defaultLevel,
      before_token: c.beforeToken,
      token: { scope: c.token.scope, max_level: c.token.maxLevel, lowered: c.token.lowered },
    },
  };
}
