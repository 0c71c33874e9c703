// The reserved group that carries an MLflow role's permissions: `mlflow-role:<id>`. Only a role
// assignment puts it among a user's groups. A group of that name from an IdP claim, from SCIM or
// from a service account's settings is dropped, wherever groups are written, so nobody outside
// the gateway can give themselves a role by naming a group after it.
import type { Kysely } from 'kysely';
import type { Tables } from './schema.js';
import { roleGroup, withoutRoleGroups } from './role-group-names.js';

export { ROLE_GROUP_PREFIX, isRoleGroup, roleGroup, withoutRoleGroups } from './role-group-names.js';

/** The reserved groups of the roles `userId` is assigned, by role id. */
export async function roleGroupsOf(db: Kysely<Tables>, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('role_members').select('role_id').where('user_id', '=', userId).orderBy('role_id').execute();
  return rows.map((r) => roleGroup(Number(r.role_id)));
}

/** `groups` from outside (claims, SCIM, settings) without reserved names, plus the user's role groups. */
export async function withRoleGroups(db: Kysely<Tables>, userId: string, groups: readonly string[]): Promise<string[]> {
  return [...withoutRoleGroups(groups), ...(await roleGroupsOf(db, userId))];
}

/** Rewrites a user's stored groups so the reserved ones are exactly their roles'; the groups now. */
export async function syncRoleGroups(db: Kysely<Tables>, userId: string): Promise<string[] | undefined> {
  const row = await db.selectFrom('users').select('groups_json').where('id', '=', userId).executeTakeFirst();
  if (!row) return undefined;
  const next = await withRoleGroups(db, userId, JSON.parse(row.groups_json) as string[]);
  const json = JSON.stringify(next);
  if (json !== row.groups_json) await db.updateTable('users').set({ groups_json: json }).where('id', '=', userId).execute();
  return next;
}
