import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.js';
import { identityFromClaims } from '../../oidc/identity.js';
import { parseCookies } from '../../session/cookies.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../context.js';

/**
 * Step 2: establish who is calling. An Authorization header is authoritative: a bad one is a 401,
 * never a silent fall-back to the cookie. Without credentials the principal stays unset.
 */
export async function authenticate(gw: Gateway, req: FastifyRequest, ctx: RequestContext): Promise<void> {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const space = header.indexOf(' ');
    const scheme = (space > 0 ? header.slice(0, space) : header).toLowerCase();
    const credential = space > 0 ? header.slice(space + 1).trim() : '';
    if (scheme === 'bearer' && credential) {
      const claims = await gw.bearer.verify(credential);
      const identity = identityFromClaims(gw.config, claims);
      ctx.principal = { user: await gw.users.fromIdentity(identity), method: 'jwt' };
    } else {
      throw new GatewayError('GW_INVALID_TOKEN', scheme === 'basic' ? 'Basic credentials are not accepted here; use a bearer token' : 'Unsupported Authorization scheme; use Bearer', {
        headers: { 'www-authenticate': 'Bearer realm="mlflow"' },
      });
    }
  } else {
    const token = parseCookies(req.headers.cookie).get(gw.config.cookieName);
    if (token) {
      const resolved = await gw.sessions.resolve(token, req.log);
      if (resolved) ctx.principal = { user: resolved.user, method: 'session', sessionId: resolved.sessionId };
    }
  }
  if (ctx.principal?.user.disabled) {
    throw new GatewayError('GW_USER_DISABLED', `The account ${ctx.principal.user.username} is disabled on this gateway`);
  }
}
