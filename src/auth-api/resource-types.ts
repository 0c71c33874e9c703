// MLflow's permission resource types (mlflow/server/auth/permissions.py) and what each is on the
// gateway. A type without an equivalent is refused with a message, never stored somewhere it
// would mean something else (a scorer grant stored on its experiment would widen it).
import { GatewayError } from '../errors/index.js';
import type { ResourceType } from '../policy/index.js';

/**
 * MLflow type → gateway type; absent: no equivalent. Shared with the importers (src/import), so a
 * grant made through MLflow's auth API and one imported from MLflow's database land on the same type.
 * Prompts are their own type on the gateway (the resolver tells them from registered models by
 * MLflow's prompt tag): a prompt grant stored on registered_model would never be consulted for it.
 * The AI gateway's endpoints, secrets and model definitions are resources with the same ids as there.
 */
export const MLFLOW_TO_GATEWAY: Readonly<Record<string, ResourceType>> = {
  experiment: 'experiment',
  registered_model: 'registered_model',
  prompt: 'prompt',
  gateway_endpoint: 'gateway_endpoint',
  gateway_secret: 'gateway_secret',
  gateway_model_definition: 'gateway_model_definition',
};

/** The MLflow resource types the pinned MLflow accepts (permissions.py VALID_RESOURCE_TYPES). */
const MLFLOW_TYPES = [
  'assessment', 'experiment', 'gateway_endpoint', 'gateway_model_definition', 'gateway_secret', 'logged_model', 'mcp_server',
  'mcp_server_version', 'prompt', 'prompt_version', 'registered_model', 'registered_model_version', 'review_queue', 'run',
  'scorer', 'scorer_version', 'trace', 'workspace',
] as const;

export function gatewayResourceType(mlflowType: string): ResourceType {
  if (mlflowType === 'workspace') {
    throw new GatewayError('GW_INVALID_VALUE', "resource_type 'workspace' is not supported by the per-user permission convenience APIs. Use set_workspace_permission / delete_workspace_permission for workspace-wide grants.");
  }
  if (!(MLFLOW_TYPES as readonly string[]).includes(mlflowType)) {
    throw new GatewayError('GW_INVALID_VALUE', `Invalid resource type '${mlflowType}'. Valid resource types are: ${pyTuple(MLFLOW_TYPES)}`);
  }
  const type = MLFLOW_TO_GATEWAY[mlflowType];
  if (type === undefined) {
    throw new GatewayError('GW_AUTH_API_UNSUPPORTED', `resource_type '${mlflowType}' has no per-resource grants on this gateway: it is authorized through its parent (${parentOf(mlflowType)}); grant on that instead`);
  }
  return type;
}

export function mlflowResourceType(type: ResourceType): string {
  return type;
}

function parentOf(mlflowType: string): string {
  if (mlflowType.startsWith('registered_model')) return 'the registered model';
  if (mlflowType.startsWith('prompt')) return 'the prompt';
  if (mlflowType.startsWith('mcp_server')) return 'administrators only';
  return 'the experiment';
}

/** MLflow 3.17.2's grantable permissions on a resource (NO_PERMISSIONS is refused, as there). */
export const GRANTABLE = ['READ', 'USE', 'EDIT', 'MANAGE', 'DENY'] as const;
export type Grantable = (typeof GRANTABLE)[number];

const ALL_PERMISSIONS = ['READ', 'USE', 'EDIT', 'MANAGE', 'NO_PERMISSIONS', 'DENY'];
const pyTuple = (items: readonly string[]) => `(${items.map((p) => `'${p}'`).join(', ')})`;

function checkPermissionName(permission: string): void {
  if (!ALL_PERMISSIONS.includes(permission)) {
    throw new GatewayError('GW_INVALID_VALUE', `Invalid permission '${permission}'. Valid permissions are: ${pyTuple(ALL_PERMISSIONS)}`);
  }
}

/**
 * A role permission as MLflow's store validates it (permissions.py: permission, then type, then
 * the type's grantable levels, then the pattern: sub-resource types take only `*`), before anything
 * the gateway itself cannot map.
 */
export function checkRolePermission(permission: string, resourceType: string, resourcePattern?: string): void {
  checkPermissionName(permission);
  if (!(MLFLOW_TYPES as readonly string[]).includes(resourceType)) {
    throw new GatewayError('GW_INVALID_VALUE', `Invalid resource type '${resourceType}'. Valid resource types are: ${pyTuple(MLFLOW_TYPES)}`);
  }
  if (resourceType === 'workspace') {
    if (permission !== 'USE' && permission !== 'MANAGE') {
      throw new GatewayError('GW_INVALID_VALUE', `Invalid permission '${permission}' for resource_type='workspace'. Workspace-wide grants accept only: ('MANAGE', 'USE').`);
    }
  } else {
    grantableLevel(permission, resourceType);
  }
  if (resourcePattern !== undefined && resourcePattern !== '*' && !ID_PATTERN_TYPES.includes(resourceType)) {
    throw new GatewayError('GW_INVALID_VALUE', `Invalid resource_pattern '${resourcePattern}' for resource_type='${resourceType}'. This resource type supports only wildcard ('*') grants.`);
  }
}

/** The MLflow types whose permissions may name one resource (the rest take only `*`). */
const ID_PATTERN_TYPES: readonly string[] = ['experiment', 'registered_model', 'prompt', 'scorer', 'gateway_secret', 'gateway_endpoint', 'gateway_model_definition', 'mcp_server'];

export function grantableLevel(permission: string, resourceType: string): Grantable {
  checkPermissionName(permission);
  if (!(GRANTABLE as readonly string[]).includes(permission)) {
    throw new GatewayError('GW_INVALID_VALUE', `Invalid permission '${permission}' for resource_type='${resourceType}'. Resource-level grants accept only: ('DENY', 'EDIT', 'MANAGE', 'READ', 'USE').`);
  }
  return permission as Grantable;
}
