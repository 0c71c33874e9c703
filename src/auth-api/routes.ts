// MLflow's auth REST API (mlflow/server/auth/routes.py of the pinned MLflow), served by the gateway
// itself: these are not MLflow tracking routes, and the unmodified MLflow behind the gateway does
// not serve them. Every path is registered under /api/ and its /ajax-api/ twin (MLflow's UI calls
// the latter), before the proxy's catch-all, in a scope that always answers JSON in MLflow's error
// shape. The callers are authenticated exactly like admin API callers (src/admin/caller.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/index.js';
import { adminCaller, type Caller } from '../admin/caller.js';
import { sendJsonError } from '../admin/routes.js';
import type { Gateway } from '../pipeline/gateway.js';
import { readParams, type Params } from './params.js';
import {
  getUserPermission, grantUserPermission, legacyHandlers, LEGACY_EXPERIMENT, LEGACY_MODEL, listCurrentUserPermissions, listUserPermissions, revokeUserPermission,
} from './permissions.js';
import { createUser, currentUser, deleteUser, getUser, listUsers, updateAdmin, updatePassword } from './users.js';

type Handler = (gw: Gateway, caller: Caller, p: Params) => Promise<object> | object;
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

const ROLES_MESSAGE = 'MLflow roles are not kept by this gateway: a role is a group at the identity provider, and its permissions are grants and pattern rules to that group (/_gateway/api/v1/grants and /patterns, `mlflow-oidc-gateway grants|patterns`, or the admin UI). See docs/migration.md, "Roles".';
const roles: Handler = () => {
  throw new GatewayError('GW_AUTH_API_UNSUPPORTED', ROLES_MESSAGE);
};
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
  // Roles (RBAC): refused with the mapping, never answered with an empty list that would read as "no roles".
  ['POST', '/3.0/mlflow/roles/create', roles],
  ['GET', '/3.0/mlflow/roles/get', roles],
  ['GET', '/3.0/mlflow/roles/list', roles],
  ['PATCH', '/3.0/mlflow/roles/update', roles],
  ['DELETE', '/3.0/mlflow/roles/delete', roles],
  ['POST', '/3.0/mlflow/roles/permissions/add', roles],
  ['DELETE', '/3.0/mlflow/roles/permissions/remove', roles],
  ['GET', '/3.0/mlflow/roles/permissions/list', roles],
  ['PATCH', '/3.0/mlflow/roles/permissions/update', roles],
  ['POST', '/3.0/mlflow/roles/assign', roles],
  ['DELETE', '/3.0/mlflow/roles/unassign', roles],
  ['GET', '/3.0/mlflow/users/roles/list', roles],
  ['GET', '/3.0/mlflow/roles/users/list', roles],
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
