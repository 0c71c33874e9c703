// The admin API: <mount>/_gateway/api/v1/{grants,patterns,explain,users}. Registered from the
// composition root with one call; everything about it lives in src/admin.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, toGatewayError } from '../errors/index.js';
import type { Gateway } from '../pipeline/gateway.js';
import { registerExplainRoute } from './explain-route.js';
import { registerGrantRoutes } from './grant-routes.js';
import { registerPatternRoutes } from './pattern-routes.js';
import { registerRuleRoutes } from './rule-routes.js';
import { registerUserRoutes } from './user-routes.js';
import { registerTokenRoutes } from '../tokens/routes.js';
import { registerServiceAccountRoutes } from '../service-accounts/routes.js';
import { registerTrustRuleRoutes } from '../federation/routes.js';
import { registerAccessRoutes } from './access-routes.js';
import { registerAuditRoutes } from './audit-routes.js';
import { registerGroupRoutes } from './group-routes.js';
import { registerScimAdminRoutes } from '../scim/admin-routes.js';
import { registerProviderRoutes } from './provider-routes.js';
import { registerOpenApiRoute } from './openapi/route.js';
import { registerAccessRequestRoutes } from '../access-requests/routes.js';
import { registerSessionRoutes } from './session-routes.js';
import { registerUserDetailRoutes } from './user-detail-routes.js';

export function registerAdminRoutes(app: FastifyInstance, gw: Gateway): void {
  const base = `${gw.config.basePath}/_gateway/api/v1`;
  // An encapsulated scope, so its error handler applies to these routes only: the admin API is
  // for programs and always answers JSON, where the root handler would render HTML for browsers.
  void app.register(async (scope) => {
    scope.setErrorHandler((error: unknown, req: FastifyRequest, reply: FastifyReply) => sendJsonError(error, req, reply));
    // Grants and user lists are private and change: never cached by a browser or a proxy.
    scope.addHook('onSend', async (_req, reply) => {
      void reply.header('cache-control', 'no-store');
    });
    registerGrantRoutes(scope, gw, base);
    registerPatternRoutes(scope, gw, base);
    registerRuleRoutes(scope, gw, base);
    registerExplainRoute(scope, gw, base);
    registerUserRoutes(scope, gw, base);
    registerTokenRoutes(scope, gw, base);
    registerServiceAccountRoutes(scope, gw, base);
    registerTrustRuleRoutes(scope, gw, base);
    registerUserDetailRoutes(scope, gw, base);
    registerSessionRoutes(scope, gw, base);
    registerGroupRoutes(scope, gw, base);
    registerScimAdminRoutes(scope, gw, base);
    registerProviderRoutes(scope, gw, base);
    registerAccessRoutes(scope, gw, base);
    registerAuditRoutes(scope, gw, base);
    registerAccessRequestRoutes(scope, gw, base);
    registerOpenApiRoute(scope, gw, base);
    // Anything else under the API prefix is not an MLflow route either: without this it would
    // fall through to the proxy (and, for administrators, reach MLflow as an unknown route).
    scope.all(`${base}/*`, async (req) => {
      throw new GatewayError('GW_NOT_FOUND', `No admin API endpoint ${req.method} ${req.url.split('?')[0]}`);
    });
  });
}

/** The admin API's JSON error answer (MLflow's error shape); shared by src/auth-api. */
export function sendJsonError(error: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = (error as { statusCode?: number }).statusCode;
  const err = error instanceof GatewayError ? error
    : status !== undefined && status >= 400 && status < 500 ? new GatewayError('GW_BAD_REQUEST', (error as Error).message)
    : toGatewayError(error);
  const ctx = reply.locals;
  if (ctx && !ctx.decision) ctx.decision = `deny: ${err.code}`;
  if (err.status >= 500) req.log.error({ event: 'error', code: err.code, detail: err.detail, err: err.cause }, err.message);
  else req.log.info({ event: 'refused', code: err.code, detail: err.detail }, err.message);
  return reply.code(err.status).headers(err.headers).header('cache-control', 'no-store').type('application/json').send(err.toJSON());
}
