import type { Config } from '../config/index.js';
import { decide, explain, type Action, type Decision, type Explanation, type Level, type PolicyFacts, type Resource, type ResourceType, type Subject } from '../policy/index.js';
import { CHILD_PARENT, CHILD_RESOURCE_TYPES, type ChildResourceType, type GrantLevel, type PatternRule } from '../policy/index.js';
import type { Store, User } from '../store/index.js';

/**
 * The one place where the store's grants and pattern rules meet the pure policy function.
 * Everything that asks "may this caller do X to Y" — the authorize step, filtered searches,
 * GraphQL, the admin API's explain call — goes through here, so they can never disagree.
 */
export interface AccessControl {
  /** The policy's view of a user (token limits are added by the caller when a token is used). */
  subjectOf(user: User, limits?: Pick<Subject, 'maxLevel' | 'scope'>): Subject;
  /** The decision for one action on one resource, with its reason. */
  check(subject: Subject, action: Action, resource: Resource): Promise<Decision>;
  /** Same as check, with every grant and rule that was considered. */
  explain(subject: Subject, action: Action, resource: Resource): Promise<Explanation>;
  /**
   * Ids of `type` on which the subject holds an explicit (user or group) grant of at least READ
   * before pattern rules and the default apply: what filtered searches ask MLflow for first.
   */
  grantedIds(subject: Subject, type: ResourceType): Promise<string[]>;
  /** True when the subject may read everything of this type (admin, or a READ+ default with no limits). */
  readsEverything(subject: Subject, type: ResourceType): Promise<boolean>;
  /** Whether the subject may create top-level resources (experiments, models, prompts). */
  mayCreate(subject: Subject): boolean;
}

export function createAccessControl(config: Config, store: Store): AccessControl {
  const defaultLevel: Level = config.defaultPermission;

  async function facts(subject: Subject, resource: Resource): Promise<PolicyFacts> {
    if (subject.isAdmin && !subject.scope && !subject.maxLevel) return { grants: [], patterns: [], defaultLevel };
    // A child's decision also needs its parent's grants and rules (the parent decides when the
    // child has none, and a DENY on the parent covers the child).
    const on = resource.parent === undefined ? [resource] : [resource, resource.parent];
    const parts = await Promise.all(on.map((r) => Promise.all([
      store.grants.forResource(r.type, r.id, subject.userId, subject.groups),
      store.grants.patterns(r.type),
    ])));
    return { grants: parts.flatMap(([g]) => g), patterns: rulesFor(subject, parts.flatMap(([, p]) => p)), defaultLevel };
  }

  return {
    subjectOf(user, limits) {
      return {
        userId: user.id,
        username: user.username,
        groups: user.groups,
        isAdmin: user.isAdmin,
        ...(limits?.maxLevel ? { maxLevel: limits.maxLevel } : {}),
        ...(limits?.scope ? { scope: limits.scope } : {}),
      };
    },
    async check(subject, action, resource) {
      return decide(subject, action, resource, await facts(subject, resource));
    },
    async explain(subject, action, resource) {
      return explain(subject, action, resource, await facts(subject, resource));
    },
    async grantedIds(subject, type) {
      // DENY and NO_PERMISSIONS grants give nothing: their ids are no candidates (and every
      // candidate is decided by check() anyway, so a DENY from elsewhere still applies).
      const grants = await store.grants.resourceIdsWithGrants(type, subject.userId, subject.groups);
      return [...new Set(grants.filter((g) => g.level !== 'DENY' && g.level !== 'NO_PERMISSIONS').map((g) => g.resourceId))];
    },
    async readsEverything(subject, type) {
      if (subject.scope) return false;
      if (subject.isAdmin) return true;
      // A READ+ default still loses to an explicit NO_PERMISSIONS or DENY grant or rule — on the
      // type or on its children (a denied run inside a readable experiment) — so it only means
      // "everything" when no such deny exists for this subject.
      if (defaultLevel === 'NO_PERMISSIONS') return false;
      const types = [type, ...childTypesOf(type)];
      const found = await Promise.all(types.map(async (t) => {
        const [grants, rules] = await Promise.all([store.grants.resourceIdsWithGrants(t, subject.userId, subject.groups), store.grants.patterns(t)]);
        const takesAway = (l: GrantLevel) => l === 'NO_PERMISSIONS' || l === 'DENY';
        return grants.some((g) => takesAway(g.level)) || rulesFor(subject, rules).some((r) => takesAway(r.level));
      }));
      return !found.some(Boolean);
    },
    mayCreate(subject) {
      if (subject.scope) return false; // a scoped token reaches listed resources only, never new ones
      if (subject.isAdmin) return true;
      if (subject.maxLevel && subject.maxLevel !== 'MANAGE' && subject.maxLevel !== 'EDIT') return false;
      const creators = config.creators;
      return creators.length === 0 || creators.includes('everyone') || subject.groups.some((g) => creators.includes(g));
    },
  };
}

/** The pattern rules that speak about this subject (for the user, or for one of the user's groups). */
function rulesFor(subject: Subject, rules: readonly PatternRule[]): PatternRule[] {
  return rules.filter((r) => (r.principalType === 'user' ? r.principal === subject.userId : subject.groups.includes(r.principal)));
}

/** The child types whose parent is `type` (runs, traces and logged models of experiments…). */
export function childTypesOf(type: ResourceType): ChildResourceType[] {
  return CHILD_RESOURCE_TYPES.filter((c) => CHILD_PARENT[c] === type);
}
