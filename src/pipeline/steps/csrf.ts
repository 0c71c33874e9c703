import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../context.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Step 4: a state-changing request riding on the session cookie must come from the gateway's own
 * origin (Sec-Fetch-Site, else Origin). SameSite=Lax already blocks most cross-site posts; this
 * closes same-site sibling domains. Token-authenticated calls carry no ambient credential: no check.
 */
export function checkCsrf(gw: Gateway, req: FastifyRequest, ctx: RequestContext): void {
  if (SAFE.has(req.method) || ctx.principal?.method !== 'session') return;
  assertSameOrigin(gw, req);
}

/** The browser says the request comes from the gateway's own origin (or was typed in), or says nothing about it. */
export function assertSameOrigin(gw: Gateway, req: FastifyRequest): void {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string') {
    if (site === 'same-origin' || site === 'none') return;
    throw new GatewayError('GW_CSRF', `Cross-site request refused (Sec-Fetch-Site: ${site})`);
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== gw.config.publicOrigin) {
    throw new GatewayError('GW_CSRF', 'Cross-origin request refused (Origin does not match the gateway)');
  }
}
