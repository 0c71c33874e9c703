// MLflow's roles/* endpoints (3.17.2's AuthServiceClient) on the gateway. A role is a record in the
// gateway's store (src/store/role-store.ts); its permissions are grants and pattern rules of the
// reserved group `mlflow-role:<id>` (src/auth-api/role-grants.ts) and an assignment puts that group
// among the member's groups. Who may call what is MLflow's rule without workspace admins (the
// gateway has none): administrators change and list everything; a user reads the roles of a
// workspace they hold a role in, and their own roles. Each change is one transaction with its
// grants and its audit events; the caches of every replica hear of it once it committed.
import { GatewayError } from '../errors/index.js';
import type { Caller } from '../admin/caller.js';
import { recordChange, type ChangeContext } from '../admin/changes.js';
import { requireAdmin } from '../admin/permissions.js';
import type { Invalidation } from '../cache/events.js';
import type { Gateway } from '../pipeline/gateway.js';
import type { GrantLevel } from '../policy/index.js';
import type { Role, RoleAssignment, RolePermission } from '../store/index.js';
import type { Params } from './params.js';
import { permissionEvent, removePermissionGrant, roleResourceType, writePermissionGrant } from './role-grants.js';
import { checkRolePermission } from './resource-types.js';
import { mlflowUser } from './users.js';

/** MLflow's Role.to_json(). */
export const roleJson = (r: Role) => ({
  id: r.id, name: r.name, workspace: r.workspace, description: r.description, permissions: r.permissions.map(permissionJson),
});
const permissionJson = (p: RolePermission) => ({ id: p.id, role_id: p.roleId, resource_type: p.resourceType, resource_pattern: p.resourcePattern, permission: p.permission });
const assignmentJson = (a: RoleAssignment) => ({ id: a.id, user_id: a.userId, role_id: a.roleId });

const invalid = (message: string) => new GatewayError('GW_INVALID_VALUE', message);
const roleNotFound = (id: number) => new GatewayError('GW_RESOURCE_NOT_FOUND', `Role with id=${id} not found`);
const permissionNotFound = (id: number) => new GatewayError('GW_RESOURCE_NOT_FOUND', `Role permission with id=${id} not found`);
/** MLflow reserves the whole prefix of its per-user synthetic roles. */
const SYNTHETIC_PREFIX = '__user_';

/** An integer parameter as MLflow's `_get_int_request_param` reads it. */
function intParam(p: Params, name: string): number {
  const raw = p.raw[name];
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
  const text = p.text(name); // missing: MLflow's wording
  if (/^\s*[-+]?\d{1,15}\s*$/.test(text)) return Number(text);
  throw invalid(`Parameter '${name}' must be an integer. Got: ${typeof raw === 'string' ? `'${text}'` : text}`);
}

function checkName(name: unknown, message = 'Role name cannot be empty.'): string {
  if (typeof name !== 'string' || name.trim() === '') throw invalid(message);
  if (name.startsWith(SYNTHETIC_PREFIX)) {
    throw invalid(`Role name '${name}' uses the reserved '__user_' prefix, which is held for the per-user permission representation. Choose a different name.`);
  }
  return name;
}

/** Runs one change in one transaction, then tells every replica's caches what it touched. */
async function change<T>(gw: Gateway, caller: Caller, fn: (cx: ChangeContext) => Promise<{ result: T; events: Invalidation[] }>): Promise<T> {
  if (!gw.store.transaction) throw new Error('The store cannot run a role change in one transaction');
  const { result, events } = await gw.store.transaction((tx) => fn({ ...caller.changes, store: tx }));
  for (const e of events) await gw.bus.publish(e);
  caller.ctx.decision = 'allow: administrator';
  return result;
}

const manage = (caller: Caller, what: string) => requireAdmin(caller, what, 'write');

/** Administrators, or (MLflow's validate_can_view_roles) a user holding a role in the role's workspace. */
async function viewableRole(gw: Gateway, caller: Caller, id: number): Promise<Role> {
  const role = await gw.store.roles.get(id);
  if (caller.user.isAdmin) {
    requireAdmin(caller, 'read roles', 'read');
    caller.ctx.decision = 'allow: administrator';
  } else {
    // A missing role is refused like one of another workspace: its existence is not told.
    const mine = role !== undefined && (await gw.store.roles.listForUser(caller.user.id)).some((r) => r.workspace === role.workspace);
    if (!mine) throw new GatewayError('GW_DENIED', 'Only administrators and members of a role in its workspace may read this role');
    caller.ctx.decision = 'allow: holds a role in the workspace';
  }
  if (!role) throw roleNotFound(id);
  return role;
}

export async function createRole(gw: Gateway, caller: Caller, p: Params) {
  manage(caller, 'create roles');
  const name = p.text('name');
  const workspace = p.text('workspace');
  checkName(name);
  if (workspace.trim() === '') throw invalid('Workspace cannot be empty.');
  const description = p.raw.description ?? null;
  if (description !== null && typeof description !== 'string') throw invalid('Role description must be a string or null.');
  return change(gw, caller, async (cx) => {
    const role = await cx.store.roles.create({ name, workspace, description }, new Date());
    if (!role) throw new GatewayError('GW_ALREADY_EXISTS', `Role (name=${name}, workspace=${workspace}) already exists.`);
    await recordChange(cx, { action: 'role.create', resource: `role:${role.id}`, reason: `MLflow role ${name} (workspace ${workspace}) created` });
    return { result: { role: roleJson(role) }, events: [] };
  });
}

export async function getRole(gw: Gateway, caller: Caller, p: Params) {
  return { role: roleJson(await viewableRole(gw, caller, intParam(p, 'role_id'))) };
}

export async function listRoles(gw: Gateway, caller: Caller, p: Params) {
  const raw = p.raw.workspace;
  const requested = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
  if (caller.user.isAdmin) {
    requireAdmin(caller, 'list roles', 'read');
    caller.ctx.decision = 'allow: administrator';
  } else {
    // MLflow: a non-admin names the workspaces, and holds a role in every one of them.
    const wanted = requested.filter((w) => w.trim() !== '');
    const present = new Set((await gw.store.roles.listForUser(caller.user.id)).map((r) => r.workspace));
    if (wanted.length === 0 || !wanted.every((w) => present.has(w.trim()))) {
      throw new GatewayError('GW_DENIED', 'Only administrators may list roles across workspaces; others list the workspaces they hold a role in');
    }
    caller.ctx.decision = 'allow: holds a role in every workspace listed';
  }
  if (requested.some((w) => w.trim() === '')) throw invalid("Parameter 'workspace' must be a non-empty string when provided.");
  const roles = await gw.store.roles.list(requested.length > 0 ? requested : undefined);
  return { roles: roles.map(roleJson) };
}

export async function updateRole(gw: Gateway, caller: Caller, p: Params) {
  manage(caller, 'change roles');
  const id = intParam(p, 'role_id');
  const name = p.raw.name ?? undefined;
  const description = p.raw.description ?? undefined;
  if (name === undefined && description === undefined) throw invalid("At least one of 'name' or 'description' must be provided to update a role.");
  if (name !== undefined) checkName(name);
  if (description !== undefined && typeof description !== 'string') throw invalid('Role description must be a string.');
  return change(gw, caller, async (cx) => {
    const updated = await cx.store.roles.update(id, { name: name as string | undefined, description: description as string | undefined });
    if (updated === undefined) throw roleNotFound(id);
    if (updated === 'name-taken') {
      const role = (await cx.store.roles.get(id))!;
      throw new GatewayError('GW_ALREADY_EXISTS', `Role with name=${String(name)} already exists in workspace=${role.workspace}`);
    }
    await recordChange(cx, { action: 'role.update', resource: `role:${id}`, reason: `MLflow role ${updated.name}: name or description changed` });
    return { result: { role: roleJson(updated) }, events: [] };
  });
}

/** The role with its permissions' grants and its memberships, all at once. */
export async function deleteRole(gw: Gateway, caller: Caller, p: Params) {
  manage(caller, 'delete roles');
  const id = intParam(p, 'role_id');
  return change(gw, caller, async (cx) => {
    const role = await cx.store.roles.get(id);
    if (!role) throw roleNotFound(id);
    for (const perm of role.permissions) await removePermissionGrant(cx, perm);
    const members = (await cx.store.roles.delete(id)) ?? [];
    await recordChange(cx, { action: 'role.delete', resource: `role:${id}`, reason: `MLflow role ${role.name} deleted with ${role.permissions.length} permission(s) and ${members.length} assignment(s)` });
    const events: Invalidation[] = [...role.permissions.filter((x) => gatewayMapped(x)).map(permissionEvent), ...members.map((u) => ({ kind: 'user', id: u }) as const)];
    return { result: {}, events };
  });
}

const gatewayMapped = (p: RolePermission) => {
  try {
    roleResourceType(p.resourceType);
    return true;
  } catch {
    return false;
  }
};

export async function addRolePermission(gw: Gateway, caller: Caller, p: Params) {
  manage(caller, 'change role permissions');
  const roleId = intParam(p, 'role_id');
  const resourceType = p.text('resource_type');
  const resourcePattern = p.text('resource_pattern');
  const permission = p.text('permission');
  checkRolePermission(permission, resourceType, resourcePattern);
  return change(gw, caller, async (cx) => {
    const role = await cx.store.roles.get(roleId);
    if (!role) throw roleNotFound(roleId);
    const exists = role.permissions.some((x) => x.resourceType === resourceType && x.resourcePattern === resourcePattern);
    const added = exists ? undefined : await cx.store.roles.addPermission(roleId, { resourceType, resourcePattern, permission });
    if (!added) {
      throw new GatewayError('GW_ALREADY_EXISTS', `Role permission (role_id=${roleId}, resource_type=${resourceType}, resource_pattern=${resourcePattern}) already exists.`);
    }
    await writePermissionGrant(cx, added); // refuses types the gateway cannot map: the record is rolled back with it
    await recordChange(cx, { action: 'role.permission.add', resource: `role:${roleId}`, level: added.permission as GrantLevel, reason: `MLflow role ${role.name}: ${permission} on ${resourceType} ${resourcePattern}` });
    return { result: { role_permission: permissionJson(added) }, events: [permissionEvent(added)] };
  });
}

export async function removeRolePermission(gw: Gateway, caller: Caller, p: Params) {
  manage(caller, 'change role permissions');
  const id = intParam(p, 'role_permission_id');
  return change(gw, caller, async (cx) => {
    const perm = await cx.store.roles.getPermission(id);
    if (!perm) throw permissionNotFound(id);
    await removePermissionGrant(cx, perm);
    await cx.store.roles.removePermission(id);
    await recordChange(cx, { action: 'role.permission.remove', resource: `role:${perm.roleId}`, reason: `MLflow role permission ${id} removed: ${perm.permission} on ${perm.resourceType} ${perm.resourcePattern}` });
    return { result: {}, events: gatewayMapped(perm) ? [permissionEvent(perm)] : [] };
  });
}

export async function listRolePermissions(gw: Gateway, caller: Caller, p: Params) {
  const role = await viewableRole(gw, caller, intParam(p, 'role_id'));
  return { role_permissions: role.permissions.map(permissionJson) };
}

export async function updateRolePermission(gw: Gateway, caller: Caller, p: Params) {
  manage(caller, 'change role permissions');
  const id = intParam(p, 'role_permission_id');
  const permission = p.text('permission');
  return change(gw, caller, async (cx) => {
    const perm = await cx.store.roles.getPermission(id);
    if (!perm) throw permissionNotFound(id);
    checkRolePermission(permission, perm.resourceType);
    const updated = (await cx.store.roles.updatePermission(id, permission))!;
    await writePermissionGrant(cx, updated);
    await recordChange(cx, { action: 'role.permission.update', resource: `role:${perm.roleId}`, reason: `MLflow role permission ${id}: ${perm.permission} → ${permission} on ${perm.resourceType} ${perm.resourcePattern}` });
    return { result: { role_permission: permissionJson(updated) }, events: [permissionEvent(updated)] };
  });
}

export async function assignRole(gw: Gateway, caller: Caller, p: Params) {
  manage(caller, 'assign roles');
  const username = p.text('username');
  const roleId = intParam(p, 'role_id');
  return change(gw, caller, async (cx) => {
    const user = await mlflowUser(cx.store, username);
    const role = await cx.store.roles.get(roleId);
    if (!role) throw roleNotFound(roleId);
    const already = (await cx.store.roles.members(roleId)).some((a) => a.userId === user.id);
    const assignment = already ? undefined : await cx.store.roles.assign(roleId, user.id);
    if (!assignment) throw new GatewayError('GW_ALREADY_EXISTS', `User role assignment (user_id=${user.id}, role_id=${roleId}) already exists`);
    await recordChange(cx, { action: 'role.assign', resource: `role:${roleId}`, principal: `user ${username}`, reason: `${username} now has MLflow role ${role.name}` });
    return { result: { assignment: assignmentJson(assignment) }, events: [{ kind: 'user', id: user.id }] };
  });
}

export async function unassignRole(gw: Gateway, caller: Caller, p: Params) {
  manage(caller, 'unassign roles');
  const username = p.text('username');
  const roleId = intParam(p, 'role_id');
  return change(gw, caller, async (cx) => {
    const user = await mlflowUser(cx.store, username);
    if (!(await cx.store.roles.unassign(roleId, user.id))) {
      throw new GatewayError('GW_RESOURCE_NOT_FOUND', `User role assignment (user_id=${user.id}, role_id=${roleId}) not found`);
    }
    await recordChange(cx, { action: 'role.unassign', resource: `role:${roleId}`, principal: `user ${username}`, reason: `${username} no longer has MLflow role ${roleId}` });
    return { result: {}, events: [{ kind: 'user', id: user.id }] };
  });
}

/** Administrators, and a user about themselves (MLflow's validate_can_view_user_roles). */
export async function listUserRoles(gw: Gateway, caller: Caller, p: Params) {
  const username = p.text('username');
  const own = username === caller.user.username;
  if (!own) requireAdmin(caller, "read other users' roles", 'read');
  caller.ctx.decision = own ? 'allow: own account' : 'allow: administrator';
  const user = own ? caller.user : await mlflowUser(gw.store, username);
  return { roles: (await gw.store.roles.listForUser(user.id)).map(roleJson) };
}

export async function listRoleUsers(gw: Gateway, caller: Caller, p: Params) {
  requireAdmin(caller, 'list the members of roles', 'read');
  const id = intParam(p, 'role_id');
  if (!(await gw.store.roles.get(id))) throw roleNotFound(id);
  caller.ctx.decision = 'allow: administrator';
  return { assignments: (await gw.store.roles.members(id)).map(assignmentJson) };
}
