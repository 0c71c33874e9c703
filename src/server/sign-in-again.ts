// Where the "Sign in again" button of an error page leads. A refused sign-in (an IdP error, a
// state mismatch…) still knows where the person was going: the return_to sealed into its sign-in
// attempt. The callback records it for its request, and the error page keeps it, so that signing
// in again ends where the first attempt was meant to (it is checked again by /login's safeReturnTo).
import type { FastifyRequest } from 'fastify';

const returnTos = new WeakMap<FastifyRequest, string>();

export function rememberReturnTo(req: FastifyRequest, returnTo: unknown): void {
  if (typeof returnTo === 'string' && returnTo !== '') returnTos.set(req, returnTo);
}

export function signInAgainHref(basePath: string, req: FastifyRequest): string {
  const returnTo = returnTos.get(req);
  return `${basePath}/_gateway/login${returnTo === undefined ? '' : `?return_to=${encodeURIComponent(returnTo)}`}`;
}
