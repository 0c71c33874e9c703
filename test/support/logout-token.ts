import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type JWTPayload } from 'jose';
import type { DemoIdp } from '../../src/devtools/idp/index.js';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/oidc/backchannel-logout.js';
import type { Stack } from './stack.js';

/**
 * A logout token signed with the demo IdP's own signing key (so only the claims differ from what
 * the IdP would send): tests of refused tokens change one claim at a time.
 */
export async function signLogoutToken(idp: DemoIdp, claims: JWTPayload, opts: { omit?: readonly string[]; header?: Record<string, unknown> } = {}): Promise<string> {
  const jwk = idp.privateJwks()[0]!;
  const key = await importJWK(jwk, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = { iss: idp.issuer, aud: 'mlflow-gateway', iat: now, exp: now + 120, jti: randomUUID(), events: { [BACKCHANNEL_LOGOUT_EVENT]: {} }, ...claims };
  for (const k of opts.omit ?? []) delete payload[k];
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'logout+jwt', ...opts.header }).sign(key);
}

/** POSTs a logout token to the gateway's back-channel logout endpoint of `provider`, as the IdP does. */
export function postLogoutToken(stack: Stack, token: string, provider = 'oidc'): Promise<Response> {
  return fetch(`${stack.gatewayUrl}/_gateway/backchannel-logout/${provider}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: token }),
  });
}

/** The IdP `sub` and `sid` the gateway recorded on `username`'s newest session. */
export async function idpSessionOf(stack: Stack, username: string): Promise<{ sub: string; sid: string }> {
  const store = stack.server.gateway.store;
  const user = await store.users.getByUsername(username);
  const [session] = await store.sessions.listForUser(user!.id);
  const strip = (key: string | null | undefined) => (key ?? '').slice(stack.idp.issuer.length + 1);
  return { sub: strip(session?.idpSubject), sid: strip(session?.idpSid) };
}
