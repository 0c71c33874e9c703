import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.js';
import { parseCookies } from '../../session/cookies.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../context.js';

/** Paths whose callers are programs: they get 401 JSON, never a sign-in page. */
const API_PREFIXES = ['/api/', '/ajax-api/', '/graphql', '/gateway/', '/v1/', '/get-artifact', '/model-versions/get-artifact'];

export function isApiPath(path: string): boolean {
  return API_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p));
}

/**
 * Step 3: anonymous callers are stopped here unless the route is public. Browsers are sent to
 * sign in (and come back to where they were); programs get 401 JSON with WWW-Authenticate.
 * Returns true when the reply has been sent.
 */
export function requireIdentity(gw: Gateway, req: FastifyRequest, reply: FastifyReply, ctx: RequestContext): boolean {
  if (ctx.principal || ctx.route?.requirement.kind === 'public') return false;
  const apiLike = ctx.route ? ctx.route.apiLike : isApiPath(ctx.path);
  if (apiLike || req.method !== 'GET') {
    // A session cookie that no longer resolves means the session expired or was ended (sign-out,
    // IdP revocation): say so, so that the UI can tell "sign in again" from "never signed in".
    if (parseCookies(req.headers.cookie).has(gw.config.cookieName)) {
      throw new GatewayError('GW_SESSION_EXPIRED', 'The session expired or was ended; sign in again', {
        headers: { 'www-authenticate': 'Bearer realm="mlflow", error="invalid_token"' },
      });
    }
    throw new GatewayError('GW_UNAUTHENTICATED', 'Authentication required: sign in, or send Authorization: Bearer <token>', {
      headers: { 'www-authenticate': 'Bearer realm="mlflow"' },
    });
  }
  const returnTo = `${gw.config.basePath}${ctx.path}${ctx.query ? `?${ctx.query}` : ''}`;
  ctx.decision = 'redirect: sign-in';
  void reply.redirect(`${gw.config.basePath}/_gateway/login?return_to=${encodeURIComponent(returnTo)}`, 302);
  return true;
}
