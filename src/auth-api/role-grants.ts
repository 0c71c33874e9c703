// What an MLflow role permission is on the gateway: a grant (one resource) or a glob-`*` pattern
// rule (`*`, every resource of the type) of the role's reserved group `mlflow-role:<id>`, so the
// policy decides for role members exactly as for any group. Written through src/admin/changes.ts
// (audited) on the transaction's store, so the record and the grant commit or fail together.
import { GatewayError } from '../errors/index.js';
import { addPattern, deleteGrant, deletePattern, setGrant, type ChangeContext } from '../admin/changes.js';
import type { StoredPrincipal } from '../admin/principals.js';
import type { Invalidation } from '../cache/events.js';
import type { GrantLevel, PatternRule, ResourceType } from '../policy/index.js';
import { roleGroup, type RolePermission } from '../store/index.js';
import { MLFLOW_TO_GATEWAY } from './resource-types.js';

const WILDCARD = '*';

export const rolePrincipal = (roleId: number): StoredPrincipal => ({ type: 'group', key: roleGroup(roleId), name: roleGroup(roleId) });

/**
 * The gateway type a role permission lands on; refused (after MLflow's own validation) for types
 * the gateway authorizes through a parent or not at all, never stored where it would mean more.
 */
export function roleResourceType(mlflowType: string): ResourceType {
  const type = MLFLOW_TO_GATEWAY[mlflowType];
  if (type !== undefined) return type;
  const why = mlflowType === 'workspace'
    ? 'the gateway has no workspaces: give the role its permissions per resource type with resource_pattern "*" instead'
    : mlflowType.startsWith('mcp_server') ? 'MCP servers are for administrators only on this gateway'
      : 'it is authorized through its parent on this gateway (the experiment, registered model or prompt): give the role a permission on that instead';
  throw new GatewayError('GW_AUTH_API_UNSUPPORTED', `resource_type '${mlflowType}' cannot be a role permission here: ${why}`);
}

/** The invalidation a change to this permission's grant needs (after the transaction committed). */
export function permissionEvent(p: Pick<RolePermission, 'resourceType' | 'resourcePattern'>): Invalidation {
  const resourceType = roleResourceType(p.resourceType);
  return p.resourcePattern === WILDCARD ? { kind: 'patterns', resourceType } : { kind: 'grants', resourceType };
}

const isRoleRule = (r: PatternRule, p: RolePermission, type: ResourceType) =>
  r.principalType === 'group' && r.principal === roleGroup(p.roleId) && r.resourceType === type && r.matcher === 'glob' && r.pattern === WILDCARD;

export async function writePermissionGrant(cx: ChangeContext, p: RolePermission): Promise<void> {
  const type = roleResourceType(p.resourceType);
  const level = p.permission as GrantLevel;
  if (p.resourcePattern !== WILDCARD) {
    await setGrant(cx, { principal: rolePrincipal(p.roleId), resourceType: type, resourceId: p.resourcePattern }, level);
    return;
  }
  await removePermissionGrant(cx, p); // one rule per permission, whatever was there before
  await addPattern(cx, rolePrincipal(p.roleId), { resourceType: type, matcher: 'glob', pattern: WILDCARD, level });
}

export async function removePermissionGrant(cx: ChangeContext, p: RolePermission): Promise<void> {
  const type = MLFLOW_TO_GATEWAY[p.resourceType];
  if (type === undefined) return; // never stored
  if (p.resourcePattern !== WILDCARD) {
    await deleteGrant(cx, { principal: rolePrincipal(p.roleId), resourceType: type, resourceId: p.resourcePattern });
    return;
  }
  for (const r of (await cx.store.grants.patterns(type)).filter((x) => isRoleRule(x, p, type))) {
    await deletePattern(cx, r.id, async () => roleGroup(p.roleId));
  }
}
