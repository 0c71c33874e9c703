// Vocabulary of the authorization model. Shared by the route table (src/mlflow), the pure policy
// function (src/policy), the store (grants as rows) and the admin API.

/**
 * Permission levels, weakest first. The order is the comparison order. These are the levels a
 * decision can come out at, and MLflow's own vocabulary (without DENY): stable for importers.
 */
export const LEVELS = ['NO_PERMISSIONS', 'READ', 'USE', 'EDIT', 'MANAGE'] as const;
export type Level = (typeof LEVELS)[number];

/**
 * What a grant or a pattern rule can give: one of LEVELS, or DENY. DENY is not a level on the
 * scale but a veto: it beats every grant and rule from every source except administrator, and a
 * DENY on a parent (experiment, model, prompt) also denies its children unless an administrator
 * set `overrideParentDeny` on a grant on the child. A decision never comes out at DENY: a denied
 * subject holds NO_PERMISSIONS (source 'deny'). Listed strongest-veto first, for pickers.
 */
export const GRANT_LEVELS = ['DENY', ...LEVELS] as const;
export type GrantLevel = (typeof GRANT_LEVELS)[number];

/** What a request wants to do to a resource. `update` = write, `delete` covers restore too. */
export const ACTIONS = ['read', 'use', 'update', 'delete', 'manage'] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * Resource types that stand on their own. Everything else MLflow holds belongs to one of these.
 * The AI gateway's secrets (provider credentials, only ever returned masked by MLflow) and model
 * definitions (a provider model + a secret) are resources like endpoints (issue #14, cause 6).
 */
export const PARENT_RESOURCE_TYPES = ['experiment', 'registered_model', 'prompt', 'gateway_endpoint', 'gateway_secret', 'gateway_model_definition', 'workspace'] as const;
export type ParentResourceType = (typeof PARENT_RESOURCE_TYPES)[number];

/**
 * Contained resources that can carry grants of their own. A grant on a child decides for that
 * child; without one the parent decides. Ids: run id, trace id (v3 `tr-…` or v2 request id),
 * logged model id (`m-…`), and `<model or prompt name>/<version>` for versions.
 */
export const CHILD_RESOURCE_TYPES = ['run', 'trace', 'logged_model', 'model_version', 'prompt_version'] as const;
export type ChildResourceType = (typeof CHILD_RESOURCE_TYPES)[number];

/** The parent type of each child type. */
export const CHILD_PARENT: Readonly<Record<ChildResourceType, ParentResourceType>> = {
  run: 'experiment',
  trace: 'experiment',
  logged_model: 'experiment',
  model_version: 'registered_model',
  prompt_version: 'prompt',
};

/** Every type a grant or rule can be on. */
export const RESOURCE_TYPES = [...PARENT_RESOURCE_TYPES, ...CHILD_RESOURCE_TYPES] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export function isChildType(t: ResourceType): t is ChildResourceType {
  return (CHILD_RESOURCE_TYPES as readonly string[]).includes(t);
}

/**
 * A concrete resource. `name` is what pattern rules match. A child carries its parent (one level:
 * a run's experiment, a version's model), so the policy can let the child's grants decide first.
 */
export interface Resource {
  readonly type: ResourceType;
  readonly id: string;
  readonly name?: string | undefined;
  readonly parent?: Resource | undefined;
}

/** The authenticated caller, as the policy sees it. */
export interface Subject {
  readonly userId: string;
  readonly username: string;
  readonly groups: readonly string[];
  readonly isAdmin: boolean;
  /** Set for read-only personal tokens: the result never exceeds READ. */
  readonly maxLevel?: Level | undefined;
  /** Set for personal tokens limited to listed resources: anything else is NO_PERMISSIONS. */
  readonly scope?: readonly { type: ResourceType; id: string }[] | undefined;
}

/** A direct grant on one resource, to a user or a group. */
export interface Grant {
  readonly principalType: 'user' | 'group';
  readonly principal: string; // user id or group name
  readonly resourceType: ResourceType;
  readonly resourceId: string;
  readonly level: GrantLevel;
  /**
   * On a grant on a child only, set by an administrator: this grant decides for the child even
   * when the parent carries a DENY for the subject (DENY on the child itself still wins).
   */
  readonly overrideParentDeny?: boolean | undefined;
}

/** A rule matching resources by name, for a user or a group. */
export interface PatternRule {
  readonly id: string;
  readonly principalType: 'user' | 'group';
  readonly principal: string;
  readonly resourceType: ResourceType;
  readonly matcher: 'glob' | 'regex';
  readonly pattern: string;
  readonly level: GrantLevel;
}

/** Everything the policy needs, gathered by the caller (no I/O inside the policy). */
export interface PolicyFacts {
  /** Grants on this resource (and on its parent, for a child) for this user or any of the user's groups. */
  readonly grants: readonly Grant[];
  /** Pattern rules for this resource type (and its parent's type), for this user or any of the user's groups. */
  readonly patterns: readonly PatternRule[];
  readonly defaultLevel: Level;
}

export type DecisionSource = 'admin' | 'deny' | 'user-grant' | 'group-grant' | 'pattern' | 'default' | 'token-scope' | 'token-read-only';

export interface Decision {
  readonly allow: boolean;
  /** The effective level the subject holds on the resource. */
  readonly level: Level;
  /** The level the action needs. */
  readonly required: Level;
  readonly source: DecisionSource;
  /** Human-readable: which grant or rule decided, e.g. "group grant team-a → EDIT on experiment 3". */
  readonly reason: string;
}
