import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Tables } from './schema.js';
import type { GroupSource, ScimGroup, ScimStore, ScimToken, ScimUser } from './scim-types.js';
import { withRoleGroups } from './role-groups.js';

/** last_used_at is advisory ("last sync"): one write a minute per token. */
const TOUCH_INTERVAL_MS = 60_000;
/** The subject key of an account made by SCIM before anyone signed in to it (no IdP can issue it: it is no URL). */
export const SCIM_SUBJECT_PREFIX = 'scim:';

const date = (n: number | string) => new Date(Number(n));
const dateOrNull = (n: number | string | null) => (n === null ? null : date(n));

function toToken(r: Selectable<Tables['scim_tokens']>): ScimToken {
  return {
    id: r.id, name: r.name, secretHash: Buffer.from(r.secret_hash, 'hex'),
    allowedCidrs: r.allowed_cidrs_json === null ? null : (JSON.parse(r.allowed_cidrs_json) as string[]),
    createdAt: date(r.created_at), createdBy: r.created_by, lastUsedAt: dateOrNull(r.last_used_at), lastUsedIp: r.last_used_ip, revokedAt: dateOrNull(r.revoked_at),
  };
}

type UserJoin = Selectable<Tables['scim_users']> & { username: string };
function toScimUser(r: UserJoin): ScimUser {
  return {
    userId: r.user_id, username: r.username, externalId: r.external_id, active: Number(r.active) === 1,
    doc: JSON.parse(r.doc_json) as Record<string, unknown>, version: Number(r.version),
    createdAt: date(r.created_at), updatedAt: date(r.updated_at), linkedAt: dateOrNull(r.linked_at),
  };
}

export function scimStore(db: Kysely<Tables>): ScimStore {
  const users = () => db.selectFrom('scim_users').innerJoin('users', 'users.id', 'scim_users.user_id').selectAll('scim_users').select('users.username');

  async function group(id: string): Promise<ScimGroup | undefined> {
    const r = await db.selectFrom('scim_groups').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    const members = await db.selectFrom('scim_group_members').select('user_id').where('group_id', '=', id).orderBy('user_id').execute();
    return {
      id: r.id, displayName: r.display_name, externalId: r.external_id, members: members.map((m) => m.user_id), version: Number(r.version),
      createdAt: date(r.created_at), updatedAt: date(r.updated_at),
    };
  }

  async function groupNamesOf(trx: Kysely<Tables>, userId: string): Promise<string[]> {
    const rows = await trx.selectFrom('scim_group_members').innerJoin('scim_groups', 'scim_groups.id', 'scim_group_members.group_id')
      .select('scim_groups.display_name').where('scim_group_members.user_id', '=', userId).orderBy('scim_groups.display_name').execute();
    return rows.map((r) => r.display_name);
  }

  return {
    async createToken(t, now) {
      const row = {
        id: t.id, name: t.name, secret_hash: t.secretHash.toString('hex'), allowed_cidrs_json: t.allowedCidrs === null ? null : JSON.stringify(t.allowedCidrs),
        created_at: now.getTime(), created_by: t.createdBy, last_used_at: null, last_used_ip: null, revoked_at: null,
      };
      await db.insertInto('scim_tokens').values(row).execute();
      return toToken(row);
    },
    async getToken(id) {
      const r = await db.selectFrom('scim_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toToken(r);
    },
    async listTokens() {
      return (await db.selectFrom('scim_tokens').selectAll().orderBy('created_at', 'desc').execute()).map(toToken);
    },
    async replaceTokenSecret(id, secretHash) {
      const r = await db.updateTable('scim_tokens').set({ secret_hash: secretHash.toString('hex') }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async revokeToken(id, now) {
      const r = await db.updateTable('scim_tokens').set({ revoked_at: now.getTime() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async touchToken(id, now, ip) {
      await db.updateTable('scim_tokens').set({ last_used_at: now.getTime(), last_used_ip: ip }).where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', now.getTime() - TOUCH_INTERVAL_MS)])).execute();
    },

    async createUser(u, now) {
      const id = randomUUID();
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('users').values({
          id, subject_key: `${SCIM_SUBJECT_PREFIX}${id}`, username: u.username, email: u.email, display_name: u.displayName,
          groups_json: '[]', is_admin: 0, disabled: u.active ? 0 : 1, kind: 'person', created_at: now.getTime(), last_login_at: null, provider: null,
        }).execute();
        await trx.insertInto('scim_users').values({
          user_id: id, external_id: u.externalId, active: u.active ? 1 : 0, doc_json: JSON.stringify(u.doc), version: 1,
          claim_groups_json: '[]', created_at: now.getTime(), updated_at: now.getTime(), linked_at: null,
        }).execute();
      });
      return (await this.getUser(id))!;
    },
    async adoptUser(userId, u, now) {
      return db.transaction().execute(async (trx) => {
        const taken = await trx.selectFrom('scim_users').select('user_id').where('user_id', '=', userId).executeTakeFirst();
        if (taken) return false;
        await trx.insertInto('scim_users').values({
          user_id: userId, external_id: u.externalId, active: u.active ? 1 : 0, doc_json: JSON.stringify(u.doc), version: 1,
          claim_groups_json: '[]', created_at: now.getTime(), updated_at: now.getTime(), linked_at: now.getTime(),
        }).execute();
        await trx.updateTable('users').set({ email: u.email, display_name: u.displayName, disabled: u.active ? 0 : 1 }).where('id', '=', userId).execute();
        return true;
      });
    },
    async getUser(userId) {
      const r = await users().where('scim_users.user_id', '=', userId).executeTakeFirst();
      return r && toScimUser(r);
    },
    async listUsers() {
      return (await users().orderBy('scim_users.created_at').orderBy('scim_users.user_id').execute()).map(toScimUser);
    },
    async updateUser(userId, u, now, ifVersion) {
      return db.transaction().execute(async (trx) => {
        let q = trx.updateTable('scim_users').set((eb) => ({
          external_id: u.externalId, active: u.active ? 1 : 0, doc_json: JSON.stringify(u.doc), updated_at: now.getTime(), version: eb('version', '+', 1),
        })).where('user_id', '=', userId);
        if (ifVersion !== undefined) q = q.where('version', '=', ifVersion);
        const r = await q.executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return false;
        await trx.updateTable('users').set({ username: u.username, email: u.email, display_name: u.displayName, disabled: u.active ? 0 : 1 }).where('id', '=', userId).execute();
        return true;
      });
    },
    async deleteUser(userId) {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('scim_group_members').where('user_id', '=', userId).execute();
        const r = await trx.deleteFrom('scim_users').where('user_id', '=', userId).executeTakeFirst();
        return Number(r.numDeletedRows) === 1;
      });
    },

    async createGroup(g, now) {
      const id = randomUUID();
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('scim_groups').values({ id, display_name: g.displayName, external_id: g.externalId, version: 1, created_at: now.getTime(), updated_at: now.getTime() }).execute();
        if (g.members.length > 0) await trx.insertInto('scim_group_members').values([...new Set(g.members)].map((user_id) => ({ group_id: id, user_id }))).execute();
      });
      return (await group(id))!;
    },
    getGroup: group,
    async listGroups() {
      // Two queries whatever the number of groups (every SCIM list and user read needs them all).
      const rows = await db.selectFrom('scim_groups').selectAll().orderBy('created_at').orderBy('id').execute();
      const members = await db.selectFrom('scim_group_members').select(['group_id', 'user_id']).orderBy('user_id').execute();
      const byGroup = new Map<string, string[]>();
      for (const m of members) byGroup.set(m.group_id, [...(byGroup.get(m.group_id) ?? []), m.user_id]);
      return rows.map((r) => ({
        id: r.id, displayName: r.display_name, externalId: r.external_id, members: byGroup.get(r.id) ?? [], version: Number(r.version),
        createdAt: date(r.created_at), updatedAt: date(r.updated_at),
      }));
    },
    async updateGroup(id, g, now, ifVersion) {
      return db.transaction().execute(async (trx) => {
        let q = trx.updateTable('scim_groups').set((eb) => ({ display_name: g.displayName, external_id: g.externalId, updated_at: now.getTime(), version: eb('version', '+', 1) })).where('id', '=', id);
        if (ifVersion !== undefined) q = q.where('version', '=', ifVersion);
        const r = await q.executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return false;
        await trx.deleteFrom('scim_group_members').where('group_id', '=', id).execute();
        if (g.members.length > 0) await trx.insertInto('scim_group_members').values([...new Set(g.members)].map((user_id) => ({ group_id: id, user_id }))).execute();
        return true;
      });
    },
    async deleteGroup(id) {
      const r = await db.deleteFrom('scim_groups').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    groupsOf: (userId) => groupNamesOf(db, userId),
    async syncGroups(userIds, source: GroupSource) {
      if (source === 'claims') return [];
      const changed: string[] = [];
      for (const userId of new Set(userIds)) {
        const row = await db.selectFrom('users').leftJoin('scim_users', 'scim_users.user_id', 'users.id')
          .select(['users.groups_json', 'scim_users.claim_groups_json']).where('users.id', '=', userId).executeTakeFirst();
        if (!row) continue;
        const scim = await groupNamesOf(db, userId);
        const claims = source === 'both' ? (JSON.parse(row.claim_groups_json ?? '[]') as string[]) : [];
        const next = JSON.stringify(await withRoleGroups(db, userId, [...new Set([...claims, ...scim])].sort()));
        if (next === row.groups_json) continue;
        await db.updateTable('users').set({ groups_json: next }).where('id', '=', userId).execute();
        changed.push(userId);
      }
      return changed;
    },
  };
}
