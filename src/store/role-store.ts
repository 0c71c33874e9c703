// MLflow roles (auth API roles/*): the records, and each member's reserved role group kept equal
// to their assignments (src/store/role-groups.ts). The grants a role's permissions stand for are
// written by the caller in the same transaction (src/auth-api/roles.ts).
import type { Kysely } from 'kysely';
import { inTransaction } from './in-transaction.js';
import type { Tables } from './schema.js';
import { syncRoleGroups } from './role-groups.js';
import { isUniqueViolation } from './store-errors.js';
import type { Role, RoleAssignment, RolePermission, RoleStore } from './types.js';

type PermissionRow = Pick<Tables['role_permissions'], 'role_id' | 'resource_type' | 'resource_pattern' | 'permission'> & { id: number };
type RoleRow = Pick<Tables['roles'], 'name' | 'workspace' | 'description'> & { id: number };

const toPermission = (r: PermissionRow): RolePermission => ({
  id: Number(r.id), roleId: Number(r.role_id), resourceType: r.resource_type, resourcePattern: r.resource_pattern, permission: r.permission,
});

const dedupeById = <T extends { id: number }>(rows: readonly T[]): T[] => [...new Map(rows.map((r) => [Number(r.id), r])).values()];

export function roleStore(db: Kysely<Tables>): RoleStore {
  async function withPermissions(rows: RoleRow[]): Promise<Role[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => Number(r.id));
    const perms = (await db.selectFrom('role_permissions').selectAll().where('role_id', 'in', ids).orderBy('id').execute()).map(toPermission);
    return rows.map((r) => ({
      id: Number(r.id), name: r.name, workspace: r.workspace, description: r.description, permissions: perms.filter((p) => p.roleId === Number(r.id)),
    }));
  }
  const roles = () => db.selectFrom('roles').select(['id', 'name', 'workspace', 'description']);
  const one = async (id: number) => (await withPermissions(await roles().where('id', '=', id).execute()))[0];
  const permission = async (id: number) => {
    const r = await db.selectFrom('role_permissions').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toPermission(r);
  };
  const insertIgnoringDuplicate = async <T>(insert: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await insert();
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
  };

  return {
    async create(role, now) {
      const row = await insertIgnoringDuplicate(() => db.insertInto('roles')
        .values({ name: role.name, workspace: role.workspace, description: role.description, created_at: now.getTime() }).returning('id').executeTakeFirstOrThrow());
      return row && { id: Number(row.id), name: role.name, workspace: role.workspace, description: role.description, permissions: [] };
    },
    get: one,
    async list(workspaces) {
      if (workspaces && workspaces.length === 0) return [];
      const q = workspaces ? roles().where('workspace', 'in', [...workspaces]) : roles();
      return withPermissions(await q.orderBy('id').execute());
    },
    async update(id, changes) {
      const current = await one(id);
      if (!current) return undefined;
      if (changes.name !== undefined && changes.name !== current.name) {
        const taken = await db.selectFrom('roles').select('id').where('workspace', '=', current.workspace).where('name', '=', changes.name).executeTakeFirst();
        if (taken) return 'name-taken';
      }
      const set = { ...(changes.name !== undefined ? { name: changes.name } : {}), ...(changes.description !== undefined ? { description: changes.description } : {}) };
      if (Object.keys(set).length > 0) await db.updateTable('roles').set(set).where('id', '=', id).execute();
      return { ...current, ...set };
    },
    async delete(id) {
      return inTransaction(db, async (trx) => {
        const members = (await trx.selectFrom('role_members').select('user_id').where('role_id', '=', id).execute()).map((r) => r.user_id);
        // Explicit deletes: not every deployment enforces foreign keys (SQLite needs a pragma).
        await trx.deleteFrom('role_members').where('role_id', '=', id).execute();
        await trx.deleteFrom('role_permissions').where('role_id', '=', id).execute();
        const r = await trx.deleteFrom('roles').where('id', '=', id).executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) return undefined;
        for (const userId of members) await syncRoleGroups(trx, userId);
        return members;
      });
    },
    async addPermission(roleId, p) {
      const row = await insertIgnoringDuplicate(() => db.insertInto('role_permissions')
        .values({ role_id: roleId, resource_type: p.resourceType, resource_pattern: p.resourcePattern, permission: p.permission }).returning('id').executeTakeFirstOrThrow());
      return row && { id: Number(row.id), roleId, ...p };
    },
    getPermission: permission,
    async updatePermission(id, level) {
      const r = await db.updateTable('role_permissions').set({ permission: level }).where('id', '=', id).executeTakeFirst();
      return Number(r.numUpdatedRows) === 0 ? undefined : permission(id);
    },
    async removePermission(id) {
      const r = await db.deleteFrom('role_permissions').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async assign(roleId, userId) {
      return inTransaction(db, async (trx) => {
        const row = await insertIgnoringDuplicate(() => trx.insertInto('role_members').values({ role_id: roleId, user_id: userId }).returning('id').executeTakeFirstOrThrow());
        if (!row) return undefined;
        await syncRoleGroups(trx, userId);
        return { id: Number(row.id), roleId, userId } satisfies RoleAssignment;
      });
    },
    async unassign(roleId, userId) {
      return inTransaction(db, async (trx) => {
        const r = await trx.deleteFrom('role_members').where('role_id', '=', roleId).where('user_id', '=', userId).executeTakeFirst();
        if (Number(r.numDeletedRows) === 0) return false;
        await syncRoleGroups(trx, userId);
        return true;
      });
    },
    async listForUser(userId) {
      const ids = db.selectFrom('role_members').select('role_id').where('user_id', '=', userId);
      return withPermissions(await roles().where('id', 'in', ids).orderBy('id').execute());
    },
    async listByUser() {
      // One join for every membership, then each role's permissions once (not once per member).
      const rows = await db.selectFrom('roles').innerJoin('role_members', 'role_members.role_id', 'roles.id')
        .select(['roles.id', 'roles.name', 'roles.workspace', 'roles.description', 'role_members.user_id']).orderBy('roles.id').execute();
      const byId = new Map((await withPermissions(dedupeById(rows))).map((r) => [r.id, r]));
      const out = new Map<string, Role[]>();
      for (const row of rows) out.set(row.user_id, [...(out.get(row.user_id) ?? []), byId.get(Number(row.id))!]);
      return out;
    },
    async members(roleId) {
      const rows = await db.selectFrom('role_members').selectAll().where('role_id', '=', roleId).orderBy('id').execute();
      return rows.map((r) => ({ id: Number(r.id), roleId: Number(r.role_id), userId: r.user_id }));
    },
  };
}
