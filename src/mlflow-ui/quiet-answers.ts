// Requests MLflow's UI makes on every page that the gateway answers itself, so that the UI
// handles them quietly instead of showing errors and filling the audit with denials:
//   users/current          who is signed in (MLflow's basic-auth shape; is_basic_auth false, so
//                          the UI offers no password change and no Basic logout trick)
//   assistant/config|providers   while the assistant is disabled on the gateway: MLflow's "nothing
//                          configured" answers, so the UI offers no assistant to use
//   /favicon.ico           the icon MLflow serves under /static-files
// Everything else goes through the pipeline as before. These answers hold only the caller's own
// identity or constants, so they widen nobody's access.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../pipeline/context.js';
import type { Gateway } from '../pipeline/gateway.js';

const CURRENT_USER = new Set(['/ajax-api/2.0/mlflow/users/current', '/api/2.0/mlflow/users/current']);
const ASSISTANT_CONFIG = '/ajax-api/3.0/mlflow/assistant/config';
const ASSISTANT_PROVIDERS = '/ajax-api/3.0/mlflow/assistant/providers';

/** Before sign-in is required: the favicon is a redirect to a file that itself needs a session. */
export function answerBeforeIdentity(gw: Gateway, req: FastifyRequest, reply: FastifyReply, ctx: RequestContext): boolean {
  if ((req.method !== 'GET' && req.method !== 'HEAD') || ctx.path !== '/favicon.ico') return false;
  ctx.decision = 'allow: gateway answer (favicon)';
  void reply.header('cache-control', 'public, max-age=86400').redirect(`${gw.config.basePath}/static-files/favicon.ico`, 302);
  return true;
}

/** For signed-in callers; true when the reply has been sent. */
export function answerQuietly(gw: Gateway, req: FastifyRequest, reply: FastifyReply, ctx: RequestContext): boolean {
  const user = ctx.principal?.user;
  if (!user || req.method !== 'GET') return false;
  let body: object | undefined;
  if (CURRENT_USER.has(ctx.path)) {
    body = { user: { id: user.id, username: user.username, is_admin: user.isAdmin }, is_basic_auth: false };
  } else if (!gw.config.enableAssistant && ctx.path === ASSISTANT_CONFIG) {
    body = { providers: {}, projects: {}, remote_access_allowed: false };
  } else if (!gw.config.enableAssistant && ctx.path === ASSISTANT_PROVIDERS) {
    body = { providers: [], resolved: null, gateway_vendor_options: {} };
  }
  if (body === undefined) return false;
  ctx.decision = 'allow: gateway answer for MLflow\'s UI';
  void reply.header('cache-control', 'no-store').type('application/json').send(body);
  return true;
}
