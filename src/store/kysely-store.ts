import { randomUUID } from 'node:crypto';
import { GatewayError } from '../errors/index.js';
import { Migrator, sql, type Kysely, type Selectable } from 'kysely';
import type { Grant, GrantLevel, PatternRule, ResourceType } from '../policy/types.js';
import { migrations, type Dialect } from './migrations.js';
import type { Tables } from './schema.js';
import { accessRequestStore } from './access-request-store.js';
import { knownGroupStore } from './known-group-store.js';
import { roleStore } from './role-store.js';
import { syncRoleGroups, withoutRoleGroups } from './role-groups.js';
import { inTransaction } from './in-transaction.js';
import { auditStore } from './audit-store.js';
import { federationStore } from './federation-store.js';
import { ruleStore } from './rule-store.js';
import { serviceAccountStore } from './service-account-store.js';
import { isUniqueViolation, withStoreErrors } from './store-errors.js';
import { tokenStore } from './token-store.js';
import { oneTimeIdStore } from './one-time-id-store.js';
import { SCIM_SUBJECT_PREFIX, scimStore } from './scim-store.js';
import { toUser } from './user-row.js';
import { AHEAD_BY_EMAIL, AHEAD_OF_SIGN_IN, type GrantStore, type LoginIdentity, type NewSession, type Session, type SessionStore, type Store, type User, type UserStore } from './types.js';

/** The store over any kysely dialect; the sqlite and postgres adapters only build the `Kysely`. */
export async function createKyselyStore(db: Kysely<Tables>, dialect: Dialect): Promise<Store> {
  try {
    await migrate(db, dialect);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw err;
  }
  return withStoreErrors(storeOver(db, dialect, async () => db.destroy()));
}

/**
 * The store's parts over a connection or an open transaction. `transaction` runs `fn` against a
 * store whose every read and write is inside one database transaction (committed when `fn`
 * resolves, rolled back when it throws): the importers apply a whole import or nothing.
 */
function storeOver(db: Kysely<Tables>, dialect: Dialect, close: () => Promise<void>): Store {
  const store: Store = {
    kind: dialect,
    users: userStore(db, dialect),
    sessions: sessionStore(db),
    grants: grantStore(db),
    rules: ruleStore(db),
    audit: auditStore(db, dialect),
    tokens: tokenStore(db),
    serviceAccounts: serviceAccountStore(db),
    federation: federationStore(db),
    oneTimeIds: oneTimeIdStore(db),
    scim: scimStore(db),
    accessRequests: accessRequestStore(db),
    knownGroups: knownGroupStore(db),
    roles: roleStore(db),
    async ping() {
      await sql`select 1`.execute(db);
    },
    async transaction(fn) {
      if (db.isTransaction) return fn(store);
      return db.transaction().execute((trx) => fn(withStoreErrors(storeOver(trx, dialect, async () => undefined))));
    },
    close,
  };
  return store;
}

async function migrate(db: Kysely<Tables>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(dialect) },
    migrationTableName: 'gateway_migrations',
    migrationLockTableName: 'gateway_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`store migration ${failed} failed: ${(error as Error).message}`, { cause: error });
  }
}

const ms = (d: Date) => d.getTime();
const date = (n: number | string) => new Date(Number(n));
const dateOrNull = (n: number | string | null) => (n === null ? null : date(n));

/** Case-insensitive LIKE: SQLite's LIKE already is (for ASCII); PostgreSQL's is not. */
export const likeOperator = (dialect: Dialect) => (dialect === 'postgres' ? 'ilike' : 'like');

function userStore(db: Kysely<Tables>, dialect: Dialect): UserStore {
  const like = likeOperator(dialect);
  const store: UserStore = {
    async upsertOnLogin(identity: LoginIdentity, now: Date) {
      // A claimed group named like a role's reserved group gives nothing; the roles assigned here
      // are added back after every sign-in, whichever path below recorded it.
      const claimed = { ...identity, groups: withoutRoleGroups(identity.groups) };
      let user: User;
      try {
        user = await upsert(claimed, now);
      } catch (err) {
        // Two replicas (or requests) recording the same new identity at once: one insert wins, the
        // other sees its unique key taken and simply runs again as an update.
        if (!isUniqueViolation(err)) throw err;
        user = await upsert(claimed, now);
      }
      const groups = await syncRoleGroups(db, user.id);
      return groups ? { ...user, groups } : user;
    },
    async get(id) {
      const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toUser(r);
    },
    async findBySubject(subjectKey) {
      const linked = await db.selectFrom('user_identities').select('user_id').where('subject_key', '=', subjectKey).executeTakeFirst();
      const r = await (linked
        ? db.selectFrom('users').selectAll().where('id', '=', linked.user_id)
        : db.selectFrom('users').selectAll().where('subject_key', '=', subjectKey).where('kind', '=', 'person')).executeTakeFirst();
      return r && toUser(r);
    },
    async getByUsername(username) {
      const r = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      return r && toUser(r);
    },
    async list(opts = {}) {
      let q = db.selectFrom('users').selectAll().orderBy('username');
      if (opts.search) q = q.where((eb) => eb.or([eb('username', like, `%${opts.search}%`), eb('email', like, `%${opts.search}%`)]));
      const rows = await q.limit(opts.limit ?? 100).offset(opts.offset ?? 0).execute();
      return rows.map(toUser);
    },
    async setDisabled(id, disabled) {
      await db.updateTable('users').set({ disabled: disabled ? 1 : 0 }).where('id', '=', id).execute();
    },
    async createAhead(username, now) {
      const existing = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      if (existing) return { user: toUser(existing), created: false };
      const row = {
        id: randomUUID(), subject_key: `${AHEAD_OF_SIGN_IN}${username}`, username, email: null, display_name: null, groups_json: '[]',
        is_admin: 0, disabled: 0, kind: 'person', created_at: ms(now), last_login_at: null, provider: null,
      };
      try {
        await db.insertInto('users').values(row).execute();
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        const raced = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirstOrThrow();
        return { user: toUser(raced), created: false };
      }
      return { user: toUser(row), created: true };
    },
    async createAheadByEmail(email, now) {
      const address = email.toLowerCase();
      const subject = `${AHEAD_BY_EMAIL}${address}`;
      const existing = await db.selectFrom('users').selectAll().where('subject_key', '=', subject).executeTakeFirst();
      if (existing) return { user: toUser(existing), created: false };
      const row = {
        id: randomUUID(), subject_key: subject, username: address, email: address, display_name: null, groups_json: '[]',
        is_admin: 0, disabled: 0, kind: 'person', created_at: ms(now), last_login_at: null, provider: null,
      };
      try {
        await db.insertInto('users').values(row).execute();
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        const raced = await db.selectFrom('users').selectAll().where('subject_key', '=', subject).executeTakeFirst();
        if (!raced) throw new GatewayError('GW_CONFLICT', `The username ${address} already belongs to another account on this gateway`);
        return { user: toUser(raced), created: false };
      }
      return { user: toUser(row), created: true };
    },
    async findByVerifiedEmail(email, limit) {
      const address = email.toLowerCase();
      const verified = db.selectFrom('user_identities').select('user_id')
        .where((eb) => eb(eb.fn('lower', ['user_identities.email']), '=', address)).where('email_verified', '=', 1);
      const rows = await db.selectFrom('users').selectAll()
        .where('kind', '=', 'person')
        .where((eb) => eb.or([eb('id', 'in', verified), eb('subject_key', '=', `${AHEAD_BY_EMAIL}${address}`)]))
        .orderBy('username').limit(limit).execute();
      return rows.map(toUser);
    },
  };

  async function upsert(identity: LoginIdentity, now: Date, raced = false): Promise<User> {
    const provider = identity.provider ?? null;
    const identityRow = {
      provider, email: identity.email, email_verified: identity.emailVerified && identity.email !== null ? 1 : 0, last_login_at: ms(now),
    };
    // The account of this identity: through its identity row, else (rows made before 0005) its own subject key.
    const linked = await db.selectFrom('user_identities').select('user_id').where('subject_key', '=', identity.subjectKey).executeTakeFirst();
    const existing = await (linked
      ? db.selectFrom('users').selectAll().where('id', '=', linked.user_id)
      : db.selectFrom('users').selectAll().where('subject_key', '=', identity.subjectKey).where('kind', '=', 'person')).executeTakeFirst();
    // A disabled account's sign-in is refused right after this (the caller checks `disabled`): it is
    // no sign-in, so "Last sign-in" (of the account and of the identity) keeps its time.
    const refused = existing !== undefined && existing.disabled === 1;
    // Groups and the admin flag always follow the latest sign-in (group sync), whichever identity it was.
    let sync = { groups_json: JSON.stringify(identity.groups), is_admin: identity.isAdmin ? 1 : 0, last_login_at: refused ? existing.last_login_at : ms(now), provider };
    if (existing) sync = { ...sync, groups_json: await provisionedGroups(existing.id, identity) };

    if (existing && existing.subject_key !== identity.subjectKey) {
      // A linked identity: the account keeps its own name and profile.
      await db.updateTable('users').set(sync).where('id', '=', existing.id).execute();
      const { last_login_at: signedInAt, ...profile } = identityRow;
      await db.updateTable('user_identities').set(refused ? profile : { ...profile, last_login_at: signedInAt }).where('subject_key', '=', identity.subjectKey).execute();
      return toUser({ ...existing, ...sync });
    }
    const fields = { username: identity.username, email: identity.email, display_name: identity.displayName, ...sync };
    if (!existing) {
      // An account provisioned by SCIM ahead of this first sign-in: the identity joins it.
      const provisioned = await scimLinkTarget(identity);
      if (provisioned) {
        const joined = { ...sync, groups_json: await provisionedGroups(provisioned.id, identity), subject_key: identity.subjectKey };
        await db.transaction().execute(async (trx) => {
          await trx.insertInto('user_identities').values({ subject_key: identity.subjectKey, user_id: provisioned.id, created_at: ms(now), ...identityRow }).execute();
          await trx.updateTable('users').set(joined).where('id', '=', provisioned.id).execute();
          await trx.updateTable('scim_users').set({ linked_at: ms(now) }).where('user_id', '=', provisioned.id).execute();
        });
        return toUser({ ...provisioned, ...joined });
      }
      // An account recorded ahead of sign-in by this (verified) email: the identity joins it.
      const pending = await aheadByEmailTarget(identity);
      if (pending) {
        const joined = { ...fields, subject_key: identity.subjectKey };
        const claimed = await db.updateTable('users').set(joined).where('id', '=', pending.id).where('subject_key', '=', pending.subject_key).executeTakeFirst();
        if (Number(claimed.numUpdatedRows) === 1) {
          await db.insertInto('user_identities').values({ subject_key: identity.subjectKey, user_id: pending.id, created_at: ms(now), ...identityRow }).execute();
          return toUser({ ...pending, ...joined });
        }
        return upsert(identity, now, raced); // another sign-in joined it first
      }
      const target = await linkTarget(identity);
      if (target) {
        await db.insertInto('user_identities').values({ subject_key: identity.subjectKey, user_id: target.id, created_at: ms(now), ...identityRow }).execute();
        await db.updateTable('users').set(sync).where('id', '=', target.id).execute();
        return toUser({ ...target, ...sync });
      }
    }
    // Usernames are what grants, tokens and the audit log show: one may never silently pass from
    // one identity (another provider, a service account) to another.
    const holder = await db.selectFrom('users').select(['id', 'kind', 'subject_key']).where('username', '=', identity.username).executeTakeFirst();
    if (holder && !existing && holder.kind === 'person' && holder.subject_key === `${AHEAD_OF_SIGN_IN}${identity.username}`) {
      // An account recorded ahead of its first sign-in (users/create, an import): the first identity
      // whose username claim names it takes it over, with the grants prepared for it. Only once: the
      // subject key changes in the same statement, so a second identity meets the usual conflict.
      const claimed = await db.updateTable('users').set({ ...fields, subject_key: identity.subjectKey })
        .where('id', '=', holder.id).where('subject_key', '=', holder.subject_key).executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 1) {
        await db.insertInto('user_identities').values({ subject_key: identity.subjectKey, user_id: holder.id, created_at: ms(now), ...identityRow }).execute();
        const row = await db.selectFrom('users').selectAll().where('id', '=', holder.id).executeTakeFirstOrThrow();
        return toUser(row);
      }
      return upsert(identity, now, raced);
    }
    if (holder && holder.id !== existing?.id) {
      // Another replica may have just recorded this very identity (its username is now taken by it).
      if (!existing && !raced && (await db.selectFrom('user_identities').select('user_id').where('subject_key', '=', identity.subjectKey).executeTakeFirst())) {
        return upsert(identity, now, true);
      }
      throw new GatewayError('GW_CONFLICT', `The username ${identity.username} already belongs to another ${holder.kind === 'service' ? 'service account' : 'identity'} on this gateway; an administrator must resolve it${holder.kind === 'service' ? '' : ' (identities of different providers are never merged, unless the provider links accounts by verified email)'}`);
    }
    if (existing) {
      // A SCIM-managed account keeps the name and profile SCIM gave it; sign-in only syncs.
      const managed = await db.selectFrom('scim_users').select('user_id').where('user_id', '=', existing.id).executeTakeFirst();
      const changes = managed ? sync : fields;
      await db.updateTable('users').set(changes).where('id', '=', existing.id).execute();
      const recorded = await db.updateTable('user_identities').set(identityRow).where('subject_key', '=', identity.subjectKey).executeTakeFirst();
      if (Number(recorded.numUpdatedRows) === 0) {
        await db.insertInto('user_identities').values({ subject_key: identity.subjectKey, user_id: existing.id, created_at: ms(now), ...identityRow }).execute();
      }
      return toUser({ ...existing, ...changes });
    }
    const row = { id: randomUUID(), subject_key: identity.subjectKey, disabled: 0, kind: 'person', created_at: ms(now), ...fields };
    await inTransaction(db, async (trx) => {
      await trx.insertInto('users').values(row).execute();
      await trx.insertInto('user_identities').values({ subject_key: identity.subjectKey, user_id: row.id, created_at: ms(now), ...identityRow }).execute();
    });
    return toUser(row);
  }

  /**
   * The SCIM-provisioned account no identity has signed in to yet that matches the identity by the
   * configured attribute. userName and email compare case-insensitively (RFC 7643: caseExact false);
   * email only when the provider says it is verified. More than one: refused, never guessed.
   */
  async function scimLinkTarget(identity: LoginIdentity): Promise<Selectable<Tables['users']> | undefined> {
    const link = identity.scimLink;
    if (!link) return undefined;
    let q = db.selectFrom('users').innerJoin('scim_users', 'scim_users.user_id', 'users.id').selectAll('users')
      .where('users.subject_key', 'like', `${SCIM_SUBJECT_PREFIX}%`).where('scim_users.linked_at', 'is', null);
    if (link.by === 'externalId') {
      if (!link.externalId) return undefined;
      q = q.where('scim_users.external_id', '=', link.externalId);
    } else if (link.by === 'userName') {
      q = q.where((eb) => eb(eb.fn('lower', ['users.username']), '=', identity.username.toLowerCase()));
    } else {
      if (!identity.emailVerified || !identity.email) return undefined;
      q = q.where((eb) => eb(eb.fn('lower', ['users.email']), '=', identity.email!.toLowerCase()));
    }
    const found = await q.limit(2).execute();
    if (found.length > 1) {
      throw new GatewayError('GW_CONFLICT', `Several provisioned accounts match ${identity.username} by ${link.by}; an administrator must resolve it before this identity can sign in`);
    }
    return found[0];
  }

  /**
   * The account recorded ahead of sign-in for this identity's email, when the provider vouches for
   * the email (an unverified email is anyone's claim and never joins). Refused, never guessed, when
   * the identity's username names another account: a different pending account (the person was
   * shared with by name and by email) or anyone else's (the join would rename it onto a taken name).
   */
  async function aheadByEmailTarget(identity: LoginIdentity): Promise<Selectable<Tables['users']> | undefined> {
    if (identity.emailVerified !== true || !identity.email) return undefined;
    const pending = await db.selectFrom('users').selectAll().where('subject_key', '=', `${AHEAD_BY_EMAIL}${identity.email.toLowerCase()}`)
      .where('kind', '=', 'person').executeTakeFirst();
    if (!pending) return undefined;
    const holder = await db.selectFrom('users').select(['id', 'subject_key']).where('username', '=', identity.username).executeTakeFirst();
    if (holder && holder.id !== pending.id) {
      const why = holder.subject_key === `${AHEAD_OF_SIGN_IN}${identity.username}`
        ? `both ${identity.username} and ${identity.email} were recorded ahead of sign-in as separate accounts`
        : `the username ${identity.username} already belongs to another account`;
      throw new GatewayError('GW_CONFLICT', `Several accounts match ${identity.username} (${why}); an administrator must resolve it before this identity can sign in`);
    }
    return pending;
  }

  /**
   * The groups of an account at sign-in: the identity's claims, unless the account is provisioned
   * and SCIM is a group source; the claims are kept beside SCIM's so membership changes can recompute.
   */
  async function provisionedGroups(userId: string, identity: LoginIdentity): Promise<string> {
    const claims = JSON.stringify(identity.groups);
    const source = identity.groupSource ?? 'claims';
    const recorded = await db.updateTable('scim_users').set({ claim_groups_json: claims }).where('user_id', '=', userId).executeTakeFirst();
    if (source === 'claims' || Number(recorded.numUpdatedRows) === 0) return claims;
    const scim = (await db.selectFrom('scim_group_members').innerJoin('scim_groups', 'scim_groups.id', 'scim_group_members.group_id')
      .select('scim_groups.display_name').where('scim_group_members.user_id', '=', userId).execute()).map((r) => r.display_name);
    return JSON.stringify([...new Set([...(source === 'both' ? identity.groups : []), ...scim])].sort());
  }

  /**
   * The account a new identity may join: only when its provider links by email, its email is
   * verified, and exactly one person's identity has that email verified too. Several: refused.
   */
  async function linkTarget(identity: LoginIdentity): Promise<Selectable<Tables['users']> | undefined> {
    if (!identity.linkByEmail || !identity.emailVerified || !identity.email) return undefined;
    const owners = await db.selectFrom('user_identities')
      .innerJoin('users', 'users.id', 'user_identities.user_id')
      .select('users.id').distinct()
      .where((eb) => eb(eb.fn('lower', ['user_identities.email']), '=', identity.email!.toLowerCase()))
      .where('user_identities.email_verified', '=', 1)
      .where('users.kind', '=', 'person')
      .execute();
    if (owners.length === 0) return undefined;
    if (owners.length > 1) {
      throw new GatewayError('GW_CONFLICT', `Several accounts have the verified email of ${identity.username}; an administrator must resolve it before this identity can be linked`);
    }
    return db.selectFrom('users').selectAll().where('id', '=', owners[0]!.id).executeTakeFirst();
  }
  return store;
}

function toSession(r: Selectable<Tables['sessions']>): Session {
  return {
    id: r.id, secretHash: Buffer.from(r.secret_hash, 'hex'), userId: r.user_id, createdAt: date(r.created_at),
    expiresAt: date(r.expires_at), lastSeenAt: date(r.last_seen_at), tokensSealed: r.tokens_sealed,
    idpExpiresAt: dateOrNull(r.idp_expires_at), ip: r.ip, userAgent: r.user_agent, idpSubject: r.idp_subject, idpSid: r.idp_sid,
  };
}

const TOUCH_INTERVAL_MS = 60_000;

function sessionStore(db: Kysely<Tables>): SessionStore {
  return {
    async create(s: NewSession, now: Date) {
      await db.insertInto('sessions').values({
        id: s.id, secret_hash: s.secretHash.toString('hex'), user_id: s.userId, created_at: ms(now), expires_at: ms(s.expiresAt),
        last_seen_at: ms(now), tokens_sealed: s.tokensSealed, idp_expires_at: s.idpExpiresAt && ms(s.idpExpiresAt), ip: s.ip, user_agent: s.userAgent,
        idp_subject: s.idpSubject ?? null, idp_sid: s.idpSid ?? null,
      }).execute();
    },
    async get(id) {
      const r = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toSession(r);
    },
    async touch(id, now) {
      await db.updateTable('sessions').set({ last_seen_at: ms(now) }).where('id', '=', id).where('last_seen_at', '<', ms(now) - TOUCH_INTERVAL_MS).execute();
    },
    async updateTokens(id, tokensSealed, idpExpiresAt) {
      await db.updateTable('sessions').set({ tokens_sealed: tokensSealed, idp_expires_at: idpExpiresAt && ms(idpExpiresAt) }).where('id', '=', id).execute();
    },
    async delete(id) {
      await db.deleteFrom('sessions').where('id', '=', id).execute();
    },
    async deleteForUser(userId) {
      const r = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async listForUser(userId) {
      const rows = await db.selectFrom('sessions').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').execute();
      return rows.map(toSession);
    },
    async listLive(now, idleSeconds) {
      // The same test as isLive (src/admin/account-json.ts), in the query: expires after now, used within the idle time.
      const rows = await db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id').selectAll('sessions').select('users.username')
        .where('sessions.expires_at', '>', ms(now)).where('sessions.last_seen_at', '>', ms(now) - idleSeconds * 1000)
        .orderBy('sessions.last_seen_at', 'desc').orderBy('sessions.id').execute();
      return rows.map(({ username, ...r }) => ({ session: toSession(r), username }));
    },
    async deleteByIdp(match) {
      if (!match.subjectKey && !match.sidKey) throw new Error('deleteByIdp needs a subject or an IdP session');
      let q = db.deleteFrom('sessions');
      if (match.subjectKey) q = q.where('idp_subject', '=', match.subjectKey);
      if (match.sidKey) q = q.where('idp_sid', '=', match.sidKey);
      return q.returning(['id', 'user_id']).execute().then((rows) => rows.map((r) => ({ id: r.id, userId: r.user_id })));
    },
    async deleteExpired(now, idleSeconds) {
      const r = await db.deleteFrom('sessions')
        .where((eb) => eb.or([eb('expires_at', '<=', ms(now)), eb('last_seen_at', '<=', ms(now) - idleSeconds * 1000)]))
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

function toGrant(r: Selectable<Tables['grants']>): Grant {
  return {
    principalType: r.principal_type as Grant['principalType'], principal: r.principal, resourceType: r.resource_type as ResourceType, resourceId: r.resource_id,
    level: r.level as GrantLevel, ...(Number(r.override_parent_deny) === 1 ? { overrideParentDeny: true } : {}),
  };
}

function toPattern(r: Selectable<Tables['pattern_rules']>): PatternRule {
  return {
    id: r.id, principalType: r.principal_type as PatternRule['principalType'], principal: r.principal, resourceType: r.resource_type as ResourceType,
    matcher: r.matcher as PatternRule['matcher'], pattern: r.pattern, level: r.level as GrantLevel,
  };
}

function grantStore(db: Kysely<Tables>): GrantStore {
  const principalFilter = (userId: string, groups: readonly string[]) =>
    (eb: import('kysely').ExpressionBuilder<Tables, 'grants'>) =>
      eb.or([
        eb.and([eb('principal_type', '=', 'user'), eb('principal', '=', userId)]),
        ...(groups.length > 0 ? [eb.and([eb('principal_type', '=', 'group'), eb('principal', 'in', [...groups])])] : []),
      ]);
  return {
    async forResource(type, id, userId, groups) {
      const rows = await db.selectFrom('grants').selectAll().where('resource_type', '=', type).where('resource_id', '=', id).where(principalFilter(userId, groups)).execute();
      return rows.map(toGrant);
    },
    async listForResource(type, id) {
      const rows = await db.selectFrom('grants').selectAll().where('resource_type', '=', type).where('resource_id', '=', id).orderBy('principal_type').orderBy('principal').execute();
      return rows.map(toGrant);
    },
    async listForPrincipal(principalType, principal) {
      const rows = await db.selectFrom('grants').selectAll().where('principal_type', '=', principalType).where('principal', '=', principal).orderBy('resource_type').orderBy('resource_id').execute();
      return rows.map(toGrant);
    },
    async resourceIdsWithGrants(type, userId, groups) {
      const rows = await db.selectFrom('grants').selectAll().where('resource_type', '=', type).where(principalFilter(userId, groups)).execute();
      return rows.map(toGrant);
    },
    async set(g) {
      const override = g.overrideParentDeny === true ? 1 : 0;
      await db.insertInto('grants')
        .values({ principal_type: g.principalType, principal: g.principal, resource_type: g.resourceType, resource_id: g.resourceId, level: g.level, created_at: Date.now(), override_parent_deny: override })
        .onConflict((oc) => oc.columns(['resource_type', 'resource_id', 'principal_type', 'principal']).doUpdateSet({ level: g.level, override_parent_deny: override }))
        .execute();
    },
    async moveResource(from, to) {
      return db.transaction().execute(async (tx) => {
        const rows = await tx.selectFrom('grants').selectAll().where('resource_type', '=', from.type).where('resource_id', '=', from.id).execute();
        let moved = 0;
        for (const r of rows) {
          const taken = await tx.selectFrom('grants').select('level').where('resource_type', '=', to.type).where('resource_id', '=', to.id)
            .where('principal_type', '=', r.principal_type).where('principal', '=', r.principal).executeTakeFirst();
          if (!taken) {
            await tx.insertInto('grants').values({ ...r, resource_type: to.type, resource_id: to.id }).execute();
            moved++;
          }
        }
        await tx.deleteFrom('grants').where('resource_type', '=', from.type).where('resource_id', '=', from.id).execute();
        return moved;
      });
    },
    async listForResourcePrefix(type, prefix) {
      // Compared in code, not with LIKE: names may contain % and _ (and LIKE's case rules differ per dialect).
      const rows = await db.selectFrom('grants').selectAll().where('resource_type', '=', type).execute();
      return rows.filter((r) => r.resource_id.startsWith(prefix)).map(toGrant);
    },
    async delete(principalType, principal, type, id) {
      const r = await db.deleteFrom('grants').where('principal_type', '=', principalType).where('principal', '=', principal).where('resource_type', '=', type).where('resource_id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async deleteForResource(type, id) {
      const r = await db.deleteFrom('grants').where('resource_type', '=', type).where('resource_id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async patterns(type) {
      const rows = await db.selectFrom('pattern_rules').selectAll().where('resource_type', '=', type).execute();
      return rows.map(toPattern);
    },
    async listPatterns() {
      const rows = await db.selectFrom('pattern_rules').selectAll().orderBy('created_at').execute();
      return rows.map(toPattern);
    },
    async addPattern(rule) {
      const id = `pr_${randomUUID().slice(0, 8)}`;
      await db.insertInto('pattern_rules').values({
        id, principal_type: rule.principalType, principal: rule.principal, resource_type: rule.resourceType,
        matcher: rule.matcher, pattern: rule.pattern, level: rule.level, created_at: Date.now(),
      }).execute();
      return { ...rule, id };
    },
    async deletePattern(id) {
      const r = await db.deleteFrom('pattern_rules').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async updatePattern(id, changes) {
      // One UPDATE: the rule is never missing or doubled while it changes (no delete + add).
      const set = {
        ...(changes.matcher !== undefined ? { matcher: changes.matcher } : {}),
        ...(changes.pattern !== undefined ? { pattern: changes.pattern } : {}),
        ...(changes.level !== undefined ? { level: changes.level } : {}),
      };
      if (Object.keys(set).length > 0) await db.updateTable('pattern_rules').set(set).where('id', '=', id).execute();
      const row = await db.selectFrom('pattern_rules').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toPattern(row) : undefined;
    },
    async groupNames() {
      const [fromGrants, fromRules] = await Promise.all([
        db.selectFrom('grants').select('principal').distinct().where('principal_type', '=', 'group').execute(),
        db.selectFrom('pattern_rules').select('principal').distinct().where('principal_type', '=', 'group').execute(),
      ]);
      return [...new Set([...fromGrants, ...fromRules].map((r) => r.principal))].sort();
    },
  };
}
