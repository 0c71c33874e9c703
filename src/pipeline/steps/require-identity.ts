import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.js';
import { resumePage, RESUME_PAGE_CSP } from '../../server/resume-page.js';
import { parseCookies, sessionCookieName } from '../../session/cookies.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../context.js';

/** Paths whose callers are programs: they get 401 JSON, never a sign-in page. */
const API_PREFIXES = ['/api/', '/ajax-api/', '/graphql', '/gateway/', '/v1/', '/get-artifact', '/model-versions/get-artifact'];

export function isApiPath(path: string): boolean {
  return API_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p));
}

/** Fetch-metadata destinations of a page the user navigates to (everything else is a subresource). */
const PAGE_DESTINATIONS = new Set(['document', 'iframe', 'frame', 'embed', 'object']);

/**
 * Whether a GET is a page navigation (a person opening a URL) rather than a script's request
 * (fetch/XHR, a lazily loaded chunk, an image). Only navigations may be redirected to sign in:
 * a redirected XHR or chunk turns into HTML where code was expected ("Something went wrong" in
 * MLflow's UI) and, many at once, into parallel sign-ins. Fetch metadata decides when the browser
 * sends it (every current browser does); otherwise the Accept header (HTML wanted, or an old
 * client that sends nothing specific) is the best signal.
 */
export function isNavigation(req: FastifyRequest): boolean {
  const dest = header(req, 'sec-fetch-dest');
  if (dest !== undefined) return PAGE_DESTINATIONS.has(dest);
  const accept = header(req, 'accept') ?? '';
  if (header(req, 'sec-fetch-mode') !== undefined) return header(req, 'sec-fetch-mode') === 'navigate' || accept.includes('text/html');
  return accept === '' || accept.includes('text/html') || accept.includes('*/*');
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v.toLowerCase() : undefined;
}

/**
 * The refusal of a caller without credentials. A session cookie that no longer resolves means the
 * session expired or was ended (sign-out, IdP revocation): say so (GW_SESSION_EXPIRED), so that
 * the UI can tell "your session has ended, sign in again" from "never signed in". Shared with the
 * admin API (src/admin/caller.ts), whose writes from the web UI meet an expired session most.
 */
export function unauthenticated(gw: Gateway, req: FastifyRequest): GatewayError {
  if (parseCookies(req.headers.cookie).has(sessionCookieName(gw.config))) {
    return new GatewayError('GW_SESSION_EXPIRED', 'The session expired or was ended; sign in again', {
      headers: { 'www-authenticate': 'Bearer realm="mlflow", error="invalid_token"' },
    });
  }
  return new GatewayError('GW_UNAUTHENTICATED', `Authentication required: sign in, or send Authorization: Bearer <token> (personal access tokens: ${gw.config.publicUrl}/_gateway/ui/)`, {
    headers: { 'www-authenticate': 'Bearer realm="mlflow"' },
  });
}

/**
 * Step 3: anonymous callers are stopped here unless the route is public. Page navigations are
 * sent to sign in (and come back to where they were); programs and scripts get 401 JSON with
 * WWW-Authenticate (the bar script in MLflow's UI turns that into one sign-in). Returns true
 * when the reply has been sent.
 */
export function requireIdentity(gw: Gateway, req: FastifyRequest, reply: FastifyReply, ctx: RequestContext): boolean {
  if (ctx.principal || ctx.route?.requirement.kind === 'public') return false;
  const apiLike = ctx.route ? ctx.route.apiLike : isApiPath(ctx.path);
  if (apiLike || req.method !== 'GET' || !isNavigation(req)) {
    throw unauthenticated(gw, req);
  }
  const returnTo = `${gw.config.basePath}${ctx.path}${ctx.query ? `?${ctx.query}` : ''}`;
  const loginUrl = `${gw.config.basePath}/_gateway/login?return_to=${encodeURIComponent(returnTo)}`;
  ctx.decision = 'redirect: sign-in';
  // MLflow's UI routes in the URL fragment (/#/experiments/1/runs/…), which never reaches the
  // server and would be lost at the IdP's login form. A browser opening the UI shell gets a tiny
  // page whose script adds the fragment to return_to; everything else is redirected directly.
  if (ctx.route?.rpc === 'serve' && header(req, 'sec-fetch-dest') === 'document') {
    void reply.code(200).type('text/html; charset=utf-8').header('cache-control', 'no-store')
      .header('content-security-policy', RESUME_PAGE_CSP).header('x-frame-options', 'DENY')
      .send(resumePage(gw.config.basePath, loginUrl));
    return true;
  }
  void reply.redirect(loginUrl, 302);
  return true;
}
