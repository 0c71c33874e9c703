import type { Config } from '../config/index.js';
import { decide, explain, type Action, type Decision, type Explanation, type Level, type PolicyFacts, type Resource, type ResourceType, type Subject } from '../policy/index.js';
import type { PatternRule } from '../policy/index.js';
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
    const [grants, rules] = await Promise.all([
      store.grants.forResource(resource.type, resource.id, subject.userId, subject.groups),
      store.grants.patterns(resource.type),
    ]);
    const mine = rulesFor(subject, rules);
    return { grants, patterns: mine, defaultLevel };
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
      const grants = await store.grants.resourceIdsWithGrants(type, subject.userId, subject.groups);
      return [...new Set(grants.map((g) => g.resourceId))];
    },
    async readsEverything(subject, type) {
      if (subject.scope) return false;
      if (subject.isAdmin) return true;
      // A READ+ default still loses to an explicit NO_PERMISSIONS grant or rule, so it only means
      // "everything" when no such deny exists for this subject and type.
      if (defaultLevel === 'NO_PERMISSIONS') return false;
      const [grants, rules] = await Promise.all([store.grants.resourceIdsWithGrants(type, subject.userId, subject.groups), store.grants.patterns(type)]);
      const mine = rulesFor(subject, rules);
      return !grants.some((g) => g.level === 'NO_PERMISSIONS') && !mine.some((r) => r.level === 'NO_PERMISSIONS');
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
