// MLflow's permission endpoints on the gateway's grants: 3.17.2's per-user convenience API
// (users/permissions/grant|revoke|get|list, users/current/permissions) and the per-resource
// endpoints of MLflow 2.x–3.13 (experiments/permissions/*, registered-models/permissions/*).
//
// A grant to a user on one resource is a gateway user grant; a wildcard grant (resource_id "*") is
// a user pattern rule matching every name (glob "*"). Who may change what is the admin API's rule,
// which is MLflow's: administrators, and MANAGE holders for their resource, never raising their
// own access. Every change goes through src/admin/changes.ts, so it is audited like any other.
import { GatewayError, isGatewayError } from '../errors/index.js';
import type { Caller } from '../admin/caller.js';
import { addPattern, currentGrantLevel, deleteGrant, deletePattern, recordRefusal, resourceLabel, setGrant, type GrantTarget } from '../admin/changes.js';
import { assertNoSelfEscalation, isFullAdmin, requireAdmin, requireManage, resourceName } from '../admin/permissions.js';
import type { StoredPrincipal } from '../admin/principals.js';
import type { Gateway } from '../pipeline/gateway.js';
import { atLeast, type GrantLevel, type PatternRule, type ResourceType } from '../policy/index.js';
import { withoutRoleGroups, type User } from '../store/index.js';
import type { Params } from './params.js';
import { gatewayResourceType, grantableLevel, mlflowResourceType } from './resource-types.js';
import { mlflowUser } from './users.js';

interface Target {
  readonly user: User;
  readonly principal: StoredPrincipal;
  readonly mlflowType: string;
  readonly type: ResourceType;
  readonly id: string;
}

const WILDCARD = '*';
const userPrincipal = (user: User): StoredPrincipal => ({ type: 'user', key: user.id, name: user.username, user });
const isWildcardRule = (r: PatternRule, userId: string) => r.principalType === 'user' && r.principal === userId && r.matcher === 'glob' && r.pattern === WILDCARD;

/**
 * MANAGE on the resource first (a caller without it learns nothing about which users exist), then
 * the user. A wildcard names no resource: administrators only. Refusals are audited.
 */
async function authorize(gw: Gateway, caller: Caller, action: string, username: string, mlflowType: string, id: string, mode: 'read' | 'write' = 'write'): Promise<Target> {
  const type = gatewayResourceType(mlflowType);
  try {
    if (id === WILDCARD) requireAdmin(caller, `grant on every ${mlflowType}`, 'write');
    else await requireManage(gw, caller, { type, id }, mode);
  } catch (err) {
    if (isGatewayError(err) && err.code === 'GW_DENIED') await recordRefusal(caller.changes, action, resourceLabel(type, id), `user ${username}: ${err.message}`);
    throw err;
  }
  const user = await mlflowUser(gw.store, username);
  caller.ctx.decision = isFullAdmin(caller) ? 'allow: administrator' : 'allow: MANAGE on the resource';
  return { user, principal: userPrincipal(user), mlflowType, type, id };
}

function selfCheck(caller: Caller, t: Target, current: GrantLevel | null, next: GrantLevel | 'delete'): void {
  try {
    assertNoSelfEscalation(caller, t.principal, current, next);
  } catch (err) {
    void recordRefusal(caller.changes, next === 'delete' ? 'grant.delete' : 'grant.set', resourceLabel(t.type, t.id), `user ${t.user.username}: ${(err as Error).message}`);
    throw err;
  }
}

const grantTarget = (t: Target): GrantTarget => ({ principal: t.principal, resourceType: t.type, resourceId: t.id });
const exists = (t: Target) => `Permission for user=${t.user.username} on resource_type=${t.mlflowType}, resource_id=${t.id} already exists.`;
const notFound = (t: Target) => `Permission for user=${t.user.username} on resource_type=${t.mlflowType}, resource_id=${t.id} not found.`;

/** The level the user holds through this exact grant (or wildcard rule), or null. */
async function directLevel(gw: Gateway, t: Target): Promise<GrantLevel | null> {
  if (t.id !== WILDCARD) return currentGrantLevel(gw.store, grantTarget(t));
  const rule = (await gw.store.grants.patterns(t.type)).find((r) => isWildcardRule(r, t.user.id));
  return rule?.level ?? null;
}

/** Creates the grant; refused when one exists (MLflow's RESOURCE_ALREADY_EXISTS). */
async function create(gw: Gateway, caller: Caller, t: Target, level: GrantLevel, existsMessage: string): Promise<void> {
  const current = await directLevel(gw, t);
  if (current !== null) throw new GatewayError('GW_ALREADY_EXISTS', existsMessage);
  selfCheck(caller, t, current, level);
  if (t.id === WILDCARD) await addPattern(caller.changes, t.principal, { resourceType: t.type, matcher: 'glob', pattern: WILDCARD, level });
  else await setGrant(caller.changes, grantTarget(t), level);
}

async function update(gw: Gateway, caller: Caller, t: Target, level: GrantLevel, notFoundMessage: string): Promise<void> {
  const current = await directLevel(gw, t);
  if (current === null) throw new GatewayError('GW_RESOURCE_NOT_FOUND', notFoundMessage);
  selfCheck(caller, t, current, level);
  if (t.id === WILDCARD) {
    await removeWildcard(gw, caller, t);
    await addPattern(caller.changes, t.principal, { resourceType: t.type, matcher: 'glob', pattern: WILDCARD, level });
  } else {
    await setGrant(caller.changes, grantTarget(t), level);
  }
}

async function remove(gw: Gateway, caller: Caller, t: Target, notFoundMessage: string): Promise<void> {
  const current = await directLevel(gw, t);
  if (current === null) throw new GatewayError('GW_RESOURCE_NOT_FOUND', notFoundMessage);
  selfCheck(caller, t, current, 'delete');
  if (t.id === WILDCARD) await removeWildcard(gw, caller, t);
  else await deleteGrant(caller.changes, grantTarget(t));
}

async function removeWildcard(gw: Gateway, caller: Caller, t: Target): Promise<void> {
  for (const r of (await gw.store.grants.patterns(t.type)).filter((x) => isWildcardRule(x, t.user.id))) {
    await deletePattern(caller.changes, r.id, async () => t.user.username);
  }
}

// ---- MLflow 3.17.2: users/permissions/* -------------------------------------------------------

export async function grantUserPermission(gw: Gateway, caller: Caller, p: Params) {
  const mlflowType = p.text('resource_type');
  const level = grantableLevel(p.text('permission'), mlflowType);
  const t = await authorize(gw, caller, 'grant.set', p.text('username'), mlflowType, p.text('resource_id'));
  await create(gw, caller, t, level, exists(t));
  return {};
}

export async function revokeUserPermission(gw: Gateway, caller: Caller, p: Params) {
  const t = await authorize(gw, caller, 'grant.delete', p.text('username'), p.text('resource_type'), p.text('resource_id'));
  await remove(gw, caller, t, notFound(t));
  return {};
}

/** The user's effective permission, decided exactly as a request of theirs would be. */
export async function getUserPermission(gw: Gateway, caller: Caller, p: Params) {
  const mlflowType = p.text('resource_type');
  const type = gatewayResourceType(mlflowType);
  const username = p.text('username');
  const id = p.text('resource_id');
  const own = username === caller.user.username;
  if (!own) requireAdmin(caller, "read other users' permissions", 'read');
  const user = own ? caller.user : await mlflowUser(gw.store, username);
  caller.ctx.decision = own ? 'allow: own account' : 'allow: administrator';
  const name = id === WILDCARD ? WILDCARD : await resourceName(gw, { type, id });
  const decision = await gw.access.check(gw.access.subjectOf(user), 'read', { type, id, name });
  return { allowed: atLeast(decision.level, 'USE'), permission: decision.level };
}

interface PermissionRow {
  role_id: number | null;
  role_name: string;
  workspace: string;
  resource_type: string;
  resource_pattern: string;
  permission: GrantLevel;
}

/**
 * The grants and rules that reach a user, in MLflow's row shape. The gateway has no roles: a
 * user's own grants appear under MLflow's synthetic per-user role name `__user_<id>__`, grants and
 * rules of a group under `group:<name>`, and a pattern rule's pattern is its resource_pattern.
 */
async function permissionRows(gw: Gateway, user: User): Promise<PermissionRow[]> {
  const row = (role: string, type: ResourceType, pattern: string, level: GrantLevel): PermissionRow => ({
    role_id: null, role_name: role, workspace: 'default', resource_type: mlflowResourceType(type), resource_pattern: pattern, permission: level,
  });
  const own = `__user_${user.id}__`;
  const rows = (await gw.store.grants.listForPrincipal('user', user.id)).map((g) => row(own, g.resourceType, g.resourceId, g.level));
  // A role's reserved group is answered from the role itself: its id, name and MLflow's own types.
  const groups = withoutRoleGroups(user.groups);
  for (const group of groups) {
    rows.push(...(await gw.store.grants.listForPrincipal('group', group)).map((g) => row(`group:${group}`, g.resourceType, g.resourceId, g.level)));
  }
  for (const r of await gw.store.grants.listPatterns()) {
    if (r.principalType === 'user' ? r.principal === user.id : groups.includes(r.principal)) {
      rows.push(row(r.principalType === 'user' ? own : `group:${r.principal}`, r.resourceType, r.pattern, r.level));
    }
  }
  for (const role of await gw.store.roles.listForUser(user.id)) {
    for (const p of role.permissions) {
      rows.push({ role_id: role.id, role_name: role.name, workspace: role.workspace, resource_type: p.resourceType, resource_pattern: p.resourcePattern, permission: p.permission as GrantLevel });
    }
  }
  return rows;
}

export async function listCurrentUserPermissions(gw: Gateway, caller: Caller) {
  caller.ctx.decision = 'allow: own account';
  return { is_admin: caller.user.isAdmin, permissions: await permissionRows(gw, caller.user) };
}

export async function listUserPermissions(gw: Gateway, caller: Caller, p: Params) {
  const username = p.text('username');
  const own = username === caller.user.username;
  if (!own) requireAdmin(caller, "list other users' permissions", 'read');
  const user = own ? caller.user : await mlflowUser(gw.store, username);
  caller.ctx.decision = own ? 'allow: own account' : 'allow: administrator';
  return { is_admin: user.isAdmin, permissions: await permissionRows(gw, user) };
}

// ---- MLflow 2.x–3.13: experiments/permissions/*, registered-models/permissions/* ---------------

interface LegacyKind {
  readonly mlflowType: 'experiment' | 'registered_model';
  /** The parameter naming the resource. */
  readonly idParam: 'experiment_id' | 'name';
  readonly field: 'experiment_permission' | 'registered_model_permission';
  readonly label: string;
}

export const LEGACY_EXPERIMENT: LegacyKind = { mlflowType: 'experiment', idParam: 'experiment_id', field: 'experiment_permission', label: 'Experiment' };
export const LEGACY_MODEL: LegacyKind = { mlflowType: 'registered_model', idParam: 'name', field: 'registered_model_permission', label: 'Registered model' };

function legacyJson(kind: LegacyKind, t: Target, level: GrantLevel) {
  return { [kind.field]: { [kind.idParam]: t.id, user_id: t.user.id, permission: level } };
}
const legacyNotFound = (kind: LegacyKind, t: Target) => `${kind.label} permission with ${kind.idParam}=${t.id} and username=${t.user.username} not found`;
const legacyExists = (kind: LegacyKind, t: Target) => `${kind.label} permission (${kind.idParam}=${t.id}, username=${t.user.username}) already exists`;

async function legacyTarget(gw: Gateway, caller: Caller, kind: LegacyKind, p: Params, action: string, mode: 'read' | 'write' = 'write'): Promise<Target> {
  const id = p.text(kind.idParam);
  if (id === WILDCARD) throw new GatewayError('GW_INVALID_VALUE', `${kind.idParam} must name one ${kind.mlflowType.replace('_', ' ')}`);
  return authorize(gw, caller, action, p.text('username'), kind.mlflowType, id, mode);
}

export function legacyHandlers(kind: LegacyKind) {
  return {
    async create(gw: Gateway, caller: Caller, p: Params) {
      const level = grantableLevel(p.text('permission'), kind.mlflowType);
      const t = await legacyTarget(gw, caller, kind, p, 'grant.set');
      await create(gw, caller, t, level, legacyExists(kind, t));
      return legacyJson(kind, t, level);
    },
    async get(gw: Gateway, caller: Caller, p: Params) {
      const t = await legacyTarget(gw, caller, kind, p, 'grant.read', 'read');
      const level = await directLevel(gw, t);
      if (level === null) throw new GatewayError('GW_RESOURCE_NOT_FOUND', legacyNotFound(kind, t));
      return legacyJson(kind, t, level);
    },
    async update(gw: Gateway, caller: Caller, p: Params) {
      const level = grantableLevel(p.text('permission'), kind.mlflowType);
      const t = await legacyTarget(gw, caller, kind, p, 'grant.set');
      await update(gw, caller, t, level, legacyNotFound(kind, t));
      return {};
    },
    async delete(gw: Gateway, caller: Caller, p: Params) {
      const t = await legacyTarget(gw, caller, kind, p, 'grant.delete');
      await remove(gw, caller, t, legacyNotFound(kind, t));
      return {};
    },
  };
}
