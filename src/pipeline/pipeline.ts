import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Gateway } from './gateway.js';
import { routeClassOf } from '../metrics/index.js';
import type { RequestContext } from './context.js';
import { normalizeAndClassify } from './steps/normalize.js';
import { authenticate } from './steps/authenticate.js';
import { requireIdentity } from './steps/require-identity.js';
import { checkCsrf } from './steps/csrf.js';
import { authorize } from './steps/authorize.js';
import { forward } from './steps/forward.js';
import { serveFiltered } from './filtered/serve.js';
import { answerBeforeIdentity, answerQuietly } from '../mlflow-ui/quiet-answers.js';

/**
 * The request path of every proxied MLflow call, in order:
 *   1. normalise + classify    one canonical path; route-table lookup
 *   2. authenticate            bearer JWT | session cookie
 *   3. require identity        anonymous → 401 JSON (API, scripts) or sign-in (page navigations)
 *      quiet UI answers        users/current, a disabled assistant, favicon (src/mlflow-ui)
 *   4. CSRF                    cookie-authenticated writes must be same-origin
 *   5. authorize               route requirement, resource permissions, run attribution
 *   6. filter                  searches/lists/GraphQL answered with readable objects only
 *   7. forward                 header hygiene, streaming to MLflow; creator grants after success
 * A step either enriches the context, sends the reply (returns true), or throws a GatewayError.
 */
export async function handleProxied(gw: Gateway, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const ctx: RequestContext = { requestId: req.id, clientIp: req.ip, path: '/', query: '', response: reply.raw };
  reply.locals = ctx;
  normalizeAndClassify(gw, req, ctx);
  // The gateway span (or the validated incoming trace context) for MLflow; ended by the access-log hook.
  ctx.trace = gw.tracing.start(req.headers, `${req.method} ${ctx.route?.rpc ?? routeClassOf(ctx.path)}`, {
    'http.request.method': req.method, 'url.path': ctx.path, 'gateway.route_class': routeClassOf(ctx.path),
  });
  await authenticate(gw, req, ctx);
  if (answerBeforeIdentity(gw, req, reply, ctx)) return reply;
  if (requireIdentity(gw, req, reply, ctx)) return reply;
  if (answerQuietly(gw, req, reply, ctx)) return reply;
  checkCsrf(gw, req, ctx);
  await authorize(gw, req, ctx);
  if (ctx.route?.requirement.kind === 'filtered' && !ctx.mlflowValidates && (await serveFiltered(gw, req, reply, ctx))) return reply;
  return forward(gw, req, reply, ctx);
}

declare module 'fastify' {
  interface FastifyReply {
    /** The pipeline context, read by the access-log hook. */
    locals?: RequestContext;
  }
}
