// Vocabulary of the authorization model. Shared by the route table (src/mlflow), the pure policy
// function (src/policy), the store (grants as rows) and the admin API.

/** Permission levels, weakest first. The order is the comparison order. */
export const LEVELS = ['NO_PERMISSIONS', 'READ', 'USE', 'EDIT', 'MANAGE'] as const;
export type Level = (typeof LEVELS)[number];

/** What a request wants to do to a resource. `update` = write, `delete` covers restore too. */
export const ACTIONS = ['read', 'use', 'update', 'delete', 'manage'] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * Protected resource types. Children (runs, traces, versions…) resolve to one of these first.
 * The AI gateway's secrets (provider credentials, only ever returned masked by MLflow) and model
 * definitions (a provider model + a secret) are resources like endpoints (issue #14, cause 6).
 */
export const RESOURCE_TYPES = ['experiment', 'registered_model', 'prompt', 'gateway_endpoint', 'gateway_secret', 'gateway_model_definition', 'workspace'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** A concrete resource after child → parent resolution. `name` is needed by pattern rules. */
export interface Resource {
  readonly type: ResourceType;
  readonly id: string;
  readonly name?: string | undefined;
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
  readonly level: Level;
}

/** A rule matching resources by name, for a user or a group. */
export interface PatternRule {
  readonly id: string;
  readonly principalType: 'user' | 'group';
  readonly principal: string;
  readonly resourceType: ResourceType;
  readonly matcher: 'glob' | 'regex';
  readonly pattern: string;
  readonly level: Level;
}

/** Everything the policy needs, gathered by the caller (no I/O inside the policy). */
export interface PolicyFacts {
  /** Grants on this resource for this user or for any of the user's groups. */
  readonly grants: readonly Grant[];
  /** Pattern rules for this resource type, for this user or any of the user's groups. */
  readonly patterns: readonly PatternRule[];
  readonly defaultLevel: Level;
}

export type DecisionSource = 'admin' | 'user-grant' | 'group-grant' | 'pattern' | 'default' | 'token-scope' | 'token-read-only';

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
