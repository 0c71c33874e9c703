// MLflow's auth REST API (mlflow/server/auth/routes.py of the pinned MLflow), served by the gateway
// itself: these are not MLflow tracking routes, and the unmodified MLflow behind the gateway does
// not serve them. Every path is registered under /api/ and its /ajax-api/ twin (MLflow's UI calls
// the latter), before the proxy's catch-all, in a scope that always answers JSON in MLflow's error
// shape. The callers are authenticated exactly like admin API callers (src/admin/caller.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { adminCaller, type Caller } from '../admin/caller.js';
import { sendJsonError } from '../admin/routes.js';
import type { Gateway } from '../pipeline/gateway.js';
import { readParams, type Params } from './params.js';
import {
  getUserPermission, grantUserPermission, legacyHandlers, LEGACY_EXPERIMENT, LEGACY_MODEL, listCurrentUserPermissions, listUserPermissions, revokeUserPermission,
} from './permissions.js';
import {
  addRolePermission, assignRole, createRole, deleteRole, getRole, listRolePermissions, listRoles, listRoleUsers, listUserRoles, removeRolePermission, unassignRole, updateRole, updateRolePermission,
} from './roles.js';
import { createUser, currentUser, deleteUser, getUser, listUsers, updateAdmin, updatePassword } from './users.js';

type Handler = (gw: Gateway, caller: Caller, p: Params) => Promise<object> | object;
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

const experiments = legacyHandlers(LEGACY_EXPERIMENT);
const models = legacyHandlers(LEGACY_MODEL);

/** [method, path after /api or /ajax-api, handler]: the declarative table of what is served. */
export const AUTH_API_ROUTES: ReadonlyArray<readonly [Method, string, Handler]> = [
  ['POST', '/2.0/mlflow/users/create', createUser],
  ['GET', '/2.0/mlflow/users/get', getUser],
  ['GET', '/2.0/mlflow/users/current', (_gw, caller) => currentUser(caller)],
  ['GET', '/2.0/mlflow/users/list', (gw, caller) => listUsers(gw, caller)],
  ['PATCH', '/2.0/mlflow/users/update-password', updatePassword],
  ['PATCH', '/2.0/mlflow/users/update-admin', updateAdmin],
  ['DELETE', '/2.0/mlflow/users/delete', deleteUser],
  ['GET', '/3.0/mlflow/users/current/permissions', (gw, caller) => listCurrentUserPermissions(gw, caller)],
  ['GET', '/3.0/mlflow/users/permissions/list', listUserPermissions],
  ['POST', '/3.0/mlflow/users/permissions/grant', grantUserPermission],
  ['POST', '/3.0/mlflow/users/permissions/revoke', revokeUserPermission],
  ['GET', '/3.0/mlflow/users/permissions/get', getUserPermission],
  // MLflow 2.x–3.13 per-resource endpoints (removed in 3.14; scripts written for them keep working).
  ['POST', '/2.0/mlflow/experiments/permissions/create', experiments.create],
  ['GET', '/2.0/mlflow/experiments/permissions/get', experiments.get],
  ['PATCH', '/2.0/mlflow/experiments/permissions/update', experiments.update],
  ['DELETE', '/2.0/mlflow/experiments/permissions/delete', experiments.delete],
  ['POST', '/2.0/mlflow/registered-models/permissions/create', models.create],
  ['GET', '/2.0/mlflow/registered-models/permissions/get', models.get],
  ['PATCH', '/2.0/mlflow/registered-models/permissions/update', models.update],
  ['DELETE', '/2.0/mlflow/registered-models/permissions/delete', models.delete],
  // Roles (RBAC): records in the gateway's store, their permissions grants of a reserved group (src/auth-api/roles.ts).
  ['POST', '/3.0/mlflow/roles/create', createRole],
  ['GET', '/3.0/mlflow/roles/get', getRole],
  ['GET', '/3.0/mlflow/roles/list', listRoles],
  ['PATCH', '/3.0/mlflow/roles/update', updateRole],
  ['DELETE', '/3.0/mlflow/roles/delete', deleteRole],
  ['POST', '/3.0/mlflow/roles/permissions/add', addRolePermission],
  ['DELETE', '/3.0/mlflow/roles/permissions/remove', removeRolePermission],
  ['GET', '/3.0/mlflow/roles/permissions/list', listRolePermissions],
  ['PATCH', '/3.0/mlflow/roles/permissions/update', updateRolePermission],
  ['POST', '/3.0/mlflow/roles/assign', assignRole],
  ['DELETE', '/3.0/mlflow/roles/unassign', unassignRole],
  ['GET', '/3.0/mlflow/users/roles/list', listUserRoles],
  ['GET', '/3.0/mlflow/roles/users/list', listRoleUsers],
];

/** Every path the gateway serves itself (with the /api and /ajax-api prefixes), for the proxy and tests. */
export function authApiPaths(): string[] {
  return AUTH_API_ROUTES.flatMap(([, path]) => [`/api${path}`, `/ajax-api${path}`]);
}

export function registerAuthApiRoutes(app: FastifyInstance, gw: Gateway): void {
  void app.register(async (scope) => {
    scope.setErrorHandler((error: unknown, req: FastifyRequest, reply: FastifyReply) => sendJsonError(error, req, reply));
    scope.addHook('onSend', async (_req, reply) => {
      void reply.header('cache-control', 'no-store');
    });
    for (const [method, path, handler] of AUTH_API_ROUTES) {
      for (const prefix of ['/api', '/ajax-api']) {
        scope.route({
          method, url: `${gw.config.basePath}${prefix}${path}`,
          handler: async (req, reply) => {
            const caller = await adminCaller(gw, req, reply);
            return handler(gw, caller, await readParams(req));
          },
        });
      }
    }
  });
}
