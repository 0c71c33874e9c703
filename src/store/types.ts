import type { Grant, Level, ParentResourceType, PatternRule, ResourceType } from '../policy/types.js';
import type { GroupSource, ScimStore } from './scim-types.js';

/** A person or service account known to the gateway. */
export interface User {
  readonly id: string;
  /** Stable key from the IdP: `<issuer>#<sub>`; identities from different providers never merge. */
  readonly subjectKey: string;
  readonly username: string;
  readonly email: string | null;
  readonly displayName: string | null;
  /** Groups as last seen from the IdP. */
  readonly groups: readonly string[];
  readonly isAdmin: boolean;
  readonly disabled: boolean;
  readonly kind: 'person' | 'service';
  readonly createdAt: Date;
  readonly lastLoginAt: Date | null;
  /** Id of the provider the person last signed in through (null: service accounts, or not known yet). */
  readonly provider: string | null;
}

export interface LoginIdentity {
  readonly subjectKey: string;
  readonly username: string;
  readonly email: string | null;
  readonly displayName: string | null;
  readonly groups: readonly string[];
  readonly isAdmin: boolean;
  /** Id of the provider that vouched for the identity (absent: the default provider). */
  readonly provider?: string;
  /** Whether the provider said the email is verified (`email_verified: true`). */
  readonly emailVerified?: boolean;
  /**
   * The provider allows signing a new identity in to the existing account with the same verified
   * email (both verified). Without it, a new identity whose username is taken is refused (GW_CONFLICT).
   */
  readonly linkByEmail?: boolean;
  /**
   * SCIM: a new identity of this provider signs in to the account provisioned ahead of it that
   * matches by this attribute (`externalId` compares with `externalId` here); several matches are
   * refused (GW_CONFLICT). Absent: provisioned accounts are never joined by this identity.
   */
  readonly scimLink?: { readonly by: 'externalId' | 'userName' | 'email'; readonly externalId?: string | undefined } | undefined;
  /** Where a provisioned account's groups come from (default `claims`: as for everyone else). */
  readonly groupSource?: GroupSource | undefined;
}

export interface Session {
  readonly id: string;
  readonly secretHash: Buffer;
  readonly userId: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly lastSeenAt: Date;
  /** IdP tokens, encrypted at rest by the caller (the store never sees them in clear). */
  readonly tokensSealed: string | null;
  /** When the IdP access token expires; the gateway refreshes before that. */
  readonly idpExpiresAt: Date | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  /** `<issuer>#<sub>` of the IdP identity the session was signed in with (null: GitHub, older sessions). */
  readonly idpSubject: string | null;
  /** `<issuer>#<sid>`: the IdP session (ID token `sid`), which a back-channel logout token may name. */
  readonly idpSid: string | null;
}

export interface NewSession {
  readonly id: string;
  readonly secretHash: Buffer;
  readonly userId: string;
  readonly expiresAt: Date;
  readonly tokensSealed: string | null;
  readonly idpExpiresAt: Date | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly idpSubject?: string | null;
  readonly idpSid?: string | null;
}

/** What a back-channel logout names: an IdP session, a subject, or both (then both must match). */
export interface IdpSessionMatch {
  /** `<issuer>#<sub>` */
  readonly subjectKey?: string | undefined;
  /** `<issuer>#<sid>` */
  readonly sidKey?: string | undefined;
}

export interface AuditEvent {
  readonly time: Date;
  readonly actor: string | null; // username or null (anonymous)
  readonly action: string; // e.g. login, logout, grant.create, request.denied
  readonly resource: string | null; // e.g. experiment:12
  readonly decision: 'allow' | 'deny' | 'info';
  readonly reason: string | null;
  readonly requestId: string | null;
  readonly clientIp: string | null;
}

export interface UserStore {
  /**
   * Finds the account of an identity (provider, subject), or links it by verified email when the
   * identity allows it, or creates a new account; refreshes groups (and, for the account's own
   * identity, the profile). Identities of different providers never merge otherwise.
   */
  upsertOnLogin(identity: LoginIdentity, now: Date): Promise<User>;
  get(id: string): Promise<User | undefined>;
  /** The account an identity (`<issuer>#<sub>`) signs in to, if it has one; never creates one. */
  findBySubject(subjectKey: string): Promise<User | undefined>;
  getByUsername(username: string): Promise<User | undefined>;
  list(opts?: { search?: string; limit?: number; offset?: number }): Promise<User[]>;
  setDisabled(id: string, disabled: boolean): Promise<void>;
  /**
   * Records a person ahead of their first sign-in (MLflow's `users/create`, the importers), so
   * grants can name them now. The account has no identity: the first sign-in whose username claim
   * is `username` takes it over (see `upsertOnLogin`). Returns the existing account unchanged when
   * the username is taken (`created: false`).
   */
  createAhead(username: string, now: Date): Promise<{ user: User; created: boolean }>;
  /**
   * Records a person ahead of their first sign-in by email (sharing with someone who has not
   * signed in yet). The account is named by the email until then; the first new identity whose
   * provider vouches for that email (`email_verified: true`) joins it and renames it to its
   * username claim. Its username is never claimable by a username claim alone. Returns the existing
   * pending account for that email unchanged (`created: false`).
   */
  createAheadByEmail(email: string, now: Date): Promise<{ user: User; created: boolean }>;
  /**
   * People whose email is known to be theirs: verified at a sign-in of one of their identities, or
   * the email of an account recorded ahead of sign-in by email. Case-insensitive; at most `limit`.
   */
  findByVerifiedEmail(email: string, limit: number): Promise<User[]>;
}

/** The subject key of an account recorded ahead of its first sign-in by email (then `<email, lower case>`). */
export const AHEAD_BY_EMAIL = 'ahead-of-sign-in email:';

/** A group an administrator created ahead of anyone signing in with it (so it is suggested and not warned about). */
export interface KnownGroup {
  readonly name: string;
  readonly description: string | null;
  readonly createdAt: Date;
  readonly createdBy: string;
}

export interface KnownGroupStore {
  list(): Promise<KnownGroup[]>;
  get(name: string): Promise<KnownGroup | undefined>;
  /** Returns false when a group of that name was created before (nothing changes). */
  create(group: KnownGroup): Promise<boolean>;
  delete(name: string): Promise<boolean>;
}

/** One permission of an MLflow role, as MLflow names it (resource type and pattern are MLflow's). */
export interface RolePermission {
  readonly id: number;
  readonly roleId: number;
  readonly resourceType: string;
  /** A resource id, or `*` for every resource of the type. */
  readonly resourcePattern: string;
  readonly permission: string;
}

/** An MLflow role (auth API roles/*), with its permissions. */
export interface Role {
  readonly id: number;
  readonly name: string;
  readonly workspace: string;
  readonly description: string | null;
  readonly permissions: readonly RolePermission[];
}

export interface RoleAssignment {
  readonly id: number;
  readonly roleId: number;
  readonly userId: string;
}

/**
 * MLflow roles: records only. Membership also shows as the reserved group `mlflow-role:<id>` in
 * each member's groups: assign, unassign and delete rewrite the members' groups in the same
 * statement sequence (run them in a transaction with the grants they go with).
 */
export interface RoleStore {
  /** Undefined when the workspace already has a role of that name. */
  create(role: { name: string; workspace: string; description: string | null }, now: Date): Promise<Role | undefined>;
  get(id: number): Promise<Role | undefined>;
  /** Every role, or those of the given workspaces; by id. */
  list(workspaces?: readonly string[]): Promise<Role[]>;
  /** Undefined: no such role; 'name-taken': another role of the workspace has that name. */
  update(id: number, changes: { name?: string | undefined; description?: string | undefined }): Promise<Role | undefined | 'name-taken'>;
  /** Deletes the role with its permissions and assignments; returns the members it had (their groups are rewritten). */
  delete(id: number): Promise<string[] | undefined>;
  /** Undefined when the role already has a permission on that type and pattern. */
  addPermission(roleId: number, p: { resourceType: string; resourcePattern: string; permission: string }): Promise<RolePermission | undefined>;
  getPermission(id: number): Promise<RolePermission | undefined>;
  updatePermission(id: number, permission: string): Promise<RolePermission | undefined>;
  removePermission(id: number): Promise<boolean>;
  /** Undefined when the user already has the role. */
  assign(roleId: number, userId: string): Promise<RoleAssignment | undefined>;
  unassign(roleId: number, userId: string): Promise<boolean>;
  listForUser(userId: string): Promise<Role[]>;
  /** Every user's roles by user id, in one query whatever the number of users (users/list answers each user's roles). */
  listByUser(): Promise<Map<string, Role[]>>;
  members(roleId: number): Promise<RoleAssignment[]>;
}

/** The subject key of an account recorded ahead of its first sign-in (no IdP subject has a space). */
export const AHEAD_OF_SIGN_IN = 'ahead-of-sign-in ';

export interface SessionStore {
  create(session: NewSession, now: Date): Promise<void>;
  get(id: string): Promise<Session | undefined>;
  /** Marks use; writes at most once per minute per session to keep reads cheap. */
  touch(id: string, now: Date): Promise<void>;
  updateTokens(id: string, tokensSealed: string | null, idpExpiresAt: Date | null): Promise<void>;
  delete(id: string): Promise<void>;
  deleteForUser(userId: string): Promise<number>;
  listForUser(userId: string): Promise<Session[]>;
  /** Every live session (not expired, used within idleSeconds) with its user's name, most recently used first; one query. */
  listLive(now: Date, idleSeconds: number): Promise<Array<{ session: Session; username: string }>>;
  /** Deletes the sessions signed in through that IdP session and/or subject; returns their ids and users. Refuses an empty match. */
  deleteByIdp(match: IdpSessionMatch): Promise<{ id: string; userId: string }[]>;
  deleteExpired(now: Date, idleSeconds: number): Promise<number>;
}

export interface GrantStore {
  /** Grants on one resource for one user and a set of groups (what the policy needs). */
  forResource(type: ResourceType, id: string, userId: string, groups: readonly string[]): Promise<Grant[]>;
  /** Every grant on a resource (admin view). */
  listForResource(type: ResourceType, id: string): Promise<Grant[]>;
  listForPrincipal(principalType: 'user' | 'group', principal: string): Promise<Grant[]>;
  /** Resource ids of one type where the user or one of the groups holds at least one grant. */
  resourceIdsWithGrants(type: ResourceType, userId: string, groups: readonly string[]): Promise<Grant[]>;
  set(grant: Grant): Promise<void>;
  delete(principalType: 'user' | 'group', principal: string, type: ResourceType, id: string): Promise<boolean>;
  deleteForResource(type: ResourceType, id: string): Promise<number>;
  patterns(type: ResourceType): Promise<PatternRule[]>;
  listPatterns(): Promise<PatternRule[]>;
  addPattern(rule: Omit<PatternRule, 'id'>): Promise<PatternRule>;
  deletePattern(id: string): Promise<boolean>;
  /** Changes a rule's pattern, matcher and/or level in place (same id, principal and type); the changed rule, or undefined when there is none. */
  updatePattern(id: string, changes: Partial<Pick<PatternRule, 'matcher' | 'pattern' | 'level'>>): Promise<PatternRule | undefined>;
  /** Every group named by a grant or a pattern rule, sorted (groups are only known by name). */
  groupNames(): Promise<string[]>;
  /**
   * Moves every grant on one resource to another resource (same id space): model → prompt when a
   * registered model turns out to be a prompt, version grants when a model is renamed. Grants the
   * target already has win. Returns how many moved.
   */
  moveResource(from: { type: ResourceType; id: string }, to: { type: ResourceType; id: string }): Promise<number>;
  /** Every grant on resources of this type whose id starts with `prefix` (version grants of one model: `name/`). */
  listForResourcePrefix(type: ResourceType, prefix: string): Promise<Grant[]>;
}

/** Resource types whose aliases or tag keys can be protected (issue #16 §4). */
export const PROTECTABLE_TYPES = ['registered_model', 'prompt', 'model_version', 'prompt_version', 'experiment', 'run'] as const;
export type ProtectableType = (typeof PROTECTABLE_TYPES)[number];

/**
 * Who may set or delete given aliases or tag keys. A request that sets or deletes a key matching
 * `keyPattern` on a resource of `resourceType` whose name matches `resourcePattern` needs, on top
 * of what the route needs: `requiredLevel` on the resource (when set) AND membership of one of
 * `allowedGroups` (when non-empty). Administrators always may.
 */
export interface ProtectedKeyRule {
  readonly id: string;
  readonly resourceType: ProtectableType;
  /** Glob on the resource's name: model or prompt name (versions: their model's), experiment name; runs: their experiment's. */
  readonly resourcePattern: string;
  /** Aliases exist on registered models and prompts (and name one of their versions). */
  readonly target: 'alias' | 'tag';
  /** Glob on the alias or tag key: `champion`, `prod*`. */
  readonly keyPattern: string;
  readonly requiredLevel: Level | null;
  readonly allowedGroups: readonly string[];
  readonly createdAt: Date;
  readonly createdBy: string;
}

/** Resource types a team default can apply to: the ones a creator gets MANAGE on. */
export const TEAM_DEFAULT_TYPES = ['experiment', 'registered_model', 'prompt', 'gateway_endpoint', 'gateway_secret', 'gateway_model_definition'] as const;
export type TeamDefaultType = (typeof TEAM_DEFAULT_TYPES)[number] & ParentResourceType;

/**
 * A level given on every new resource of a type, applied with the creator's MANAGE once MLflow
 * confirmed the creation. `creatorGroup`: only when the creator is in that group (null: anyone).
 * `grantTo` 'creator_groups': each of the creator's groups matching `groupPattern` (glob; null: all
 * of them); 'groups': the named `groups`.
 */
export interface TeamDefault {
  readonly id: string;
  readonly resourceType: TeamDefaultType;
  readonly creatorGroup: string | null;
  readonly grantTo: 'creator_groups' | 'groups';
  readonly groupPattern: string | null;
  readonly groups: readonly string[];
  readonly level: Level;
  readonly createdAt: Date;
  readonly createdBy: string;
}

export interface PermissionRuleStore {
  protectedKeys(): Promise<ProtectedKeyRule[]>;
  addProtectedKey(rule: Omit<ProtectedKeyRule, 'id' | 'createdAt'>): Promise<ProtectedKeyRule>;
  deleteProtectedKey(id: string): Promise<boolean>;
  teamDefaults(): Promise<TeamDefault[]>;
  addTeamDefault(rule: Omit<TeamDefault, 'id' | 'createdAt'>): Promise<TeamDefault>;
  deleteTeamDefault(id: string): Promise<boolean>;
}

/** A personal access token (or a service account's token). Only a hash of the secret is kept. */
export interface ApiToken {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly secretHash: Buffer;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly lastUsedAt: Date | null;
  readonly lastUsedIp: string | null;
  /** The token can never exceed READ, whatever its owner's grants. */
  readonly readOnly: boolean;
  /** When set, the token reaches only these resources. */
  readonly scope: readonly { type: ResourceType; id: string }[] | null;
  readonly revokedAt: Date | null;
}

export type NewApiToken = Omit<ApiToken, 'lastUsedAt' | 'lastUsedIp' | 'revokedAt'>;

export interface TokenStore {
  create(token: NewApiToken): Promise<void>;
  get(id: string): Promise<ApiToken | undefined>;
  /** Active (unrevoked) token of a user by name, to keep names unique per user. */
  activeByName(userId: string, name: string): Promise<ApiToken | undefined>;
  /** Newest first; revoked ones only when asked. */
  list(opts: { userId?: string; includeRevoked?: boolean; limit?: number }): Promise<ApiToken[]>;
  /** Marks use; writes at most once per minute per token to keep the hot path cheap. */
  touch(id: string, now: Date, ip: string | null): Promise<void>;
  /** Replaces the secret (rotation): the old secret stops working at once. */
  replaceSecret(id: string, secretHash: Buffer, expiresAt: Date): Promise<boolean>;
  revoke(id: string, now: Date): Promise<boolean>;
  revokeAllForUser(userId: string, now: Date): Promise<number>;
}

/** A service account: a user of kind 'service' that the gateway itself vouches for (no IdP account). */
export interface ServiceAccount {
  readonly user: User;
  readonly description: string | null;
  /** Who created it (username or `cli:<os user>`). */
  readonly createdBy: string;
}

export interface NewServiceAccount {
  readonly username: string;
  readonly description: string | null;
  /** Stored by the gateway: no IdP reports a service account's groups. */
  readonly groups: readonly string[];
  readonly isAdmin: boolean;
  readonly createdBy: string;
}

export interface ServiceAccountStore {
  /** Creates the user row (kind 'service') and the account together. */
  create(account: NewServiceAccount, now: Date): Promise<ServiceAccount>;
  get(username: string): Promise<ServiceAccount | undefined>;
  list(): Promise<ServiceAccount[]>;
  update(userId: string, changes: { description?: string | null; groups?: readonly string[]; isAdmin?: boolean }): Promise<void>;
  /** Deletes the account with everything that acts for it: tokens, grants, pattern rules, trust rules, client mappings. */
  delete(userId: string): Promise<boolean>;
}

/** One claim a workload token must carry: `value` exactly, or matching it as a glob (`*`, `?`). */
export interface ClaimCondition {
  readonly claim: string;
  readonly matcher: 'exact' | 'glob';
  readonly value: string;
}

/** Workload identity federation: JWTs of `issuer` that meet the conditions act as a service account. */
export interface TrustRule {
  readonly id: string;
  readonly name: string;
  readonly issuer: string;
  /** Where the issuer's signing keys are; null: taken from the issuer's discovery document. */
  readonly jwksUrl: string | null;
  readonly audience: string;
  /** kubernetes | github-actions | gitlab, or null for a rule on raw claim names. */
  readonly preset: string | null;
  readonly conditions: readonly ClaimCondition[];
  readonly serviceAccountId: string;
  readonly createdAt: Date;
  readonly createdBy: string;
}

/** An OAuth client of the main IdP whose client-credentials tokens act as a service account. */
export interface ClientMapping {
  readonly clientId: string;
  readonly serviceAccountId: string;
  readonly createdAt: Date;
  readonly createdBy: string;
}

export interface FederationStore {
  addRule(rule: TrustRule): Promise<void>;
  /** Rules, oldest first, optionally of one issuer or one service account. */
  rules(opts?: { issuer?: string; serviceAccountId?: string }): Promise<TrustRule[]>;
  getRule(id: string): Promise<TrustRule | undefined>;
  deleteRule(id: string): Promise<boolean>;
  /** Maps a client id to a service account (replacing an earlier mapping of that client). */
  mapClient(mapping: ClientMapping): Promise<void>;
  clientMapping(clientId: string): Promise<ClientMapping | undefined>;
  clients(opts?: { serviceAccountId?: string }): Promise<ClientMapping[]>;
  unmapClient(clientId: string): Promise<boolean>;
}

/** A stored audit event: `seq` orders events (it only grows) and is the paging cursor. */
export interface AuditRecord extends AuditEvent {
  readonly seq: number;
}

export interface AuditQuery {
  readonly limit: number;
  /** Only events older than this seq (the cursor of the previous page). */
  readonly beforeSeq?: number | undefined;
  /** Only events before this time. */
  readonly before?: Date | undefined;
  /** Only events at or after this time. */
  readonly since?: Date | undefined;
  readonly actor?: string | undefined;
  readonly action?: string | undefined;
  readonly decision?: AuditEvent['decision'] | undefined;
  /** Exact resource, or a prefix when it ends with `*` (`experiment:*`). */
  readonly resource?: string | undefined;
}

/** Append-only: events are never changed; only whole old events are pruned (retention). */
export interface AuditStore {
  append(event: AuditEvent): Promise<void>;
  /** Several events in one statement (one commit), in order. */
  appendMany(events: readonly AuditEvent[]): Promise<void>;
  /** Newest first. */
  list(opts: AuditQuery): Promise<AuditRecord[]>;
  /** Deletes events older than `before`; returns how many. */
  prune(before: Date): Promise<number>;
}

/**
 * Ids that may be used once (a logout token's jti, a SAML assertion id), across every replica:
 * the first `use` wins, every later one of the same (namespace, id) before it expires is refused.
 */
export interface OneTimeIdStore {
  /** True when this call claimed the id; false when it was used before (a replay). */
  use(namespace: string, id: string, expiresAt: Date, now: Date): Promise<boolean>;
  /** Forgets ids whose expiry passed (their tokens are refused on their dates anyway). */
  prune(now: Date): Promise<number>;
  /**
   * Records an id that is expected back once (a SAML request id awaiting its response): pending
   * until `consume` takes it or it expires. Recording an id twice keeps one row.
   */
  expect(namespace: string, id: string, expiresAt: Date): Promise<void>;
  /** Whether an expected id is pending (recorded, not consumed, not expired). */
  isExpected(namespace: string, id: string, now: Date): Promise<boolean>;
  /** Takes an expected id: true for exactly one caller across every replica, false when absent, expired or taken. */
  consume(namespace: string, id: string, now: Date): Promise<boolean>;
}

/** A request for a level on a resource; `expired` is a pending request past its expiry. */
export type AccessRequestStatus = 'pending' | 'approved' | 'declined' | 'expired';

export interface AccessRequest {
  readonly id: string;
  readonly requesterId: string;
  readonly resourceType: ResourceType;
  readonly resourceId: string;
  readonly level: Level;
  readonly message: string;
  readonly status: AccessRequestStatus;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly decidedAt: Date | null;
  /** Username of the manager or administrator who decided. */
  readonly decidedBy: string | null;
  readonly decisionNote: string | null;
}

export interface AccessRequestQuery {
  /** As of `now`: a pending request past its expiry counts as expired. */
  readonly now: Date;
  readonly status?: AccessRequestStatus | undefined;
  readonly requesterId?: string | undefined;
  readonly resource?: { readonly type: ResourceType; readonly id: string } | undefined;
  readonly limit: number;
}

export interface AccessRequestStore {
  create(r: Omit<AccessRequest, 'id' | 'status' | 'decidedAt' | 'decidedBy' | 'decisionNote'>): Promise<AccessRequest>;
  get(id: string, now: Date): Promise<AccessRequest | undefined>;
  /** Newest first. */
  list(q: AccessRequestQuery): Promise<AccessRequest[]>;
  /**
   * Decides a request that is still pending and not expired at `now`; false when it was not (two
   * managers deciding at once cannot both win). Approving writes `grant` in the same transaction:
   * a request is never approved without its grant, nor a grant made for a request decided otherwise.
   */
  decide(id: string, d: { status: 'approved'; by: string; note: string | null; now: Date; grant: Grant } | { status: 'declined'; by: string; note: string | null; now: Date }): Promise<boolean>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly grants: GrantStore;
  /** Protected aliases/tag keys and team defaults. */
  readonly rules: PermissionRuleStore;
  readonly audit: AuditStore;
  readonly tokens: TokenStore;
  readonly serviceAccounts: ServiceAccountStore;
  readonly federation: FederationStore;
  readonly oneTimeIds: OneTimeIdStore;
  /** SCIM 2.0 provisioning (src/scim). */
  readonly scim: ScimStore;
  readonly accessRequests: AccessRequestStore;
  /** Groups created by administrators ahead of use. */
  readonly knownGroups: KnownGroupStore;
  /** MLflow auth-API roles (src/auth-api/roles.ts). */
  readonly roles: RoleStore;
  /** Cheap liveness query for /readyz. */
  ping(): Promise<void>;
  /**
   * SQLite only: a number that changes whenever another connection (another process: the CLI, a
   * second gateway on the same file) committed a write. Caches use it to notice changes they were
   * not told about.
   */
  readonly dataVersion?: (() => number) | undefined;
  /**
   * Runs `fn` on a store whose reads and writes are one database transaction: all or nothing.
   * Only the database adapters have it (caching wrappers do not pass it on); bulk writers (the
   * importers) use it on the store they opened.
   */
  transaction?<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export type { Level };
