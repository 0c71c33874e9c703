// What the SCIM 2.0 service provider (src/scim) keeps: tokens of provisioning clients, people
// provisioned ahead of their first sign-in, groups and their members.

/** A SCIM bearer token of a provisioning client (Entra ID, Okta…). Only the secret's hash is kept. */
export interface ScimToken {
  readonly id: string;
  readonly name: string;
  readonly secretHash: Buffer;
  /** Client addresses (CIDR) the token is accepted from; null: any. */
  readonly allowedCidrs: readonly string[] | null;
  readonly createdAt: Date;
  readonly createdBy: string;
  /** Advisory (written at most once a minute): the "last sync" the admin UI shows. */
  readonly lastUsedAt: Date | null;
  readonly lastUsedIp: string | null;
  readonly revokedAt: Date | null;
}

/** A provisioned person: the gateway account plus the SCIM resource as the client last sent it. */
export interface ScimUser {
  readonly userId: string;
  readonly username: string;
  readonly externalId: string | null;
  readonly active: boolean;
  /** The SCIM attributes as sent (without id, meta, password), with the enterprise extension. */
  readonly doc: Record<string, unknown>;
  /** Increases with every change (the ETag). */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** When an IdP identity signed in to this account (null: not yet). */
  readonly linkedAt: Date | null;
}

export interface NewScimUser {
  readonly username: string;
  readonly email: string | null;
  readonly displayName: string | null;
  readonly externalId: string | null;
  readonly active: boolean;
  readonly doc: Record<string, unknown>;
}

export interface ScimGroup {
  readonly id: string;
  /** The group's name at the gateway: what grants and pattern rules name. */
  readonly displayName: string;
  readonly externalId: string | null;
  /** User ids (the SCIM ids of the members). */
  readonly members: readonly string[];
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Where a person's groups come from: the IdP's claims at sign-in, SCIM, or both (union). */
export type GroupSource = 'claims' | 'scim' | 'both';

export interface ScimStore {
  createToken(token: { id: string; name: string; secretHash: Buffer; allowedCidrs: readonly string[] | null; createdBy: string }, now: Date): Promise<ScimToken>;
  getToken(id: string): Promise<ScimToken | undefined>;
  /** Newest first, revoked ones too (marked). */
  listTokens(): Promise<ScimToken[]>;
  /** Replaces the secret (rotation): the old one stops at once. False when there is no such active token. */
  replaceTokenSecret(id: string, secretHash: Buffer): Promise<boolean>;
  revokeToken(id: string, now: Date): Promise<boolean>;
  touchToken(id: string, now: Date, ip: string | null): Promise<void>;

  /** Creates the gateway account (kind person, not signed in yet) and its SCIM record together. GW_CONFLICT on a taken username. */
  createUser(user: NewScimUser, now: Date): Promise<ScimUser>;
  /**
   * Takes an existing person account (signed in before SCIM was set up) under SCIM management with
   * this record, keeping its identities. False when it already has a SCIM record.
   */
  adoptUser(userId: string, user: NewScimUser, now: Date): Promise<boolean>;
  getUser(userId: string): Promise<ScimUser | undefined>;
  listUsers(): Promise<ScimUser[]>;
  /**
   * Replaces the SCIM record and the account's profile. `ifVersion`: only when the record is still
   * at that version (optimistic concurrency, If-Match); false when it moved on or is gone.
   */
  updateUser(userId: string, user: NewScimUser, now: Date, ifVersion?: number): Promise<boolean>;
  /** Forgets the SCIM record (the account stays, disabled by the caller). */
  deleteUser(userId: string): Promise<boolean>;

  createGroup(group: { displayName: string; externalId: string | null; members: readonly string[] }, now: Date): Promise<ScimGroup>;
  getGroup(id: string): Promise<ScimGroup | undefined>;
  listGroups(): Promise<ScimGroup[]>;
  updateGroup(id: string, group: { displayName: string; externalId: string | null; members: readonly string[] }, now: Date, ifVersion?: number): Promise<boolean>;
  deleteGroup(id: string): Promise<boolean>;
  /** Display names of the SCIM groups a user is a member of, sorted. */
  groupsOf(userId: string): Promise<string[]>;
  /**
   * Recomputes the account groups of these users from SCIM membership (`scim`) or membership plus
   * the groups their IdP last sent (`both`); `claims` leaves them alone. Returns the ids changed.
   */
  syncGroups(userIds: readonly string[], source: GroupSource): Promise<string[]>;
}
