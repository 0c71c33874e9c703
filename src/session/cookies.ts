import { createHash } from 'node:crypto';
import type { Config } from '../config/index.js';
import { GatewayError } from '../errors/index.js';

// Cookie attributes in one place: HttpOnly always, SameSite=Lax (sent on the IdP's top-level
// redirect back to the callback, never on cross-site sub-requests), Secure whenever the public URL
// is https, and then the `__Host-` name prefix (the browser accepts such a cookie only from a
// secure origin, with Path=/ and without Domain: a sibling subdomain or a plain-http port of the
// same host cannot plant one). Without https the cookies are scoped to the mount point.

export interface CookieSpec {
  name: string;
  value: string;
  path: string;
  maxAgeSeconds?: number;
}

const HOST_PREFIX = '__Host-';

export function serializeCookie(config: Config, c: CookieSpec): string {
  const parts = [`${c.name}=${c.value}`, `Path=${c.path}`, 'HttpOnly', 'SameSite=Lax'];
  if (config.secureCookies) parts.push('Secure');
  if (c.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(c.maxAgeSeconds))}`);
  return parts.join('; ');
}

export function clearCookie(config: Config, name: string, path: string): string {
  return serializeCookie(config, { name, value: '', path, maxAgeSeconds: 0 });
}

/** Parses a Cookie header. The first occurrence of a name wins, as in browsers' ordering. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of cookiePairs(header)) if (!out.has(name)) out.set(name, value);
  return out;
}

/** Every name=value pair of a Cookie header, repeats included, in order. */
function cookiePairs(header: string | undefined): [string, string][] {
  const out: [string, string][] = [];
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (name) out.push([name, part.slice(i + 1).trim()]); // ` =x` has no name
  }
  return out;
}

/** The session cookie's name: `__Host-<GATEWAY_COOKIE_NAME>` whenever the cookie is Secure. */
export function sessionCookieName(config: Config): string {
  return config.secureCookies ? `${HOST_PREFIX}${config.cookieName}` : config.cookieName;
}

export function sessionCookiePath(config: Config): string {
  return config.secureCookies || config.basePath === '' ? '/' : config.basePath;
}

/** The sign-in state cookie (between /login and the callback), prefixed like the session cookie. */
export function loginCookieName(config: Config): string {
  return `${sessionCookieName(config)}_login`;
}

export function loginCookiePath(config: Config): string {
  return config.secureCookies ? '/' : `${config.basePath}/_gateway/callback`;
}

/** Every name a gateway cookie may have (with and without the prefix): never forwarded to MLflow. */
export function gatewayCookieNames(config: Config): string[] {
  return [config.cookieName, `${config.cookieName}_login`, `${HOST_PREFIX}${config.cookieName}`, `${HOST_PREFIX}${config.cookieName}_login`];
}

/**
 * The session cookie of a request. More than one cookie of that name (cookie tossing: another
 * origin of the same host name — another port, a sibling subdomain — set one for a longer path,
 * which the browser sends first) is refused with 401 and every copy is cleared, instead of
 * choosing one: the gateway cannot tell which is the victim's.
 */
export function readSessionCookie(config: Config, header: string | undefined, requestPath: string): string | undefined {
  const name = sessionCookieName(config);
  const values = cookiePairs(header).filter(([n]) => n === name).map(([, v]) => v);
  if (values.length <= 1) return values[0];
  throw new GatewayError('GW_SESSION_COOKIE_CONFLICT', 'The request carries more than one session cookie (one may have been planted by another site on this host); all were cleared: sign in again', {
    headers: { 'set-cookie': conflictClearing(config, requestPath), 'www-authenticate': 'Bearer realm="mlflow", error="invalid_token"' },
  });
}

/** Every session cookie value of a request (sign-out ends the sessions of all of them). */
export function sessionCookieValues(config: Config, header: string | undefined): string[] {
  return cookieValues(header, sessionCookieName(config));
}

/** Every value of cookie `name` in a Cookie header, in order. */
export function cookieValues(header: string | undefined, name: string): string[] {
  return cookiePairs(header).filter(([n]) => n === name).map(([, v]) => v);
}

/** Common MLflow path prefixes a planted cookie may be scoped to, besides the request path's own ancestors. */
const COMMON_PATHS = ['/api', '/ajax-api', '/graphql', '/get-artifact', '/model-versions', '/static-files', '/gateway', '/v1', '/_gateway'];
const MAX_CLEARED_PATHS = 24;

/**
 * Set-Cookie headers that expire the session cookie for every path a planted copy could have been
 * sent from on this request (the request path and its ancestors, where any copy that arrived must
 * be scoped) and the common MLflow prefixes. Unprefixed cookies exist only on plain-http loopback
 * (configuration refuses http elsewhere), where there is no parent domain to plant from. A
 * `__Host-` cookie can only exist at Path=/ without Domain, so that is all there is to clear.
 */
export function conflictClearing(config: Config, requestPath: string): string[] {
  const name = sessionCookieName(config);
  if (config.secureCookies) return [clearCookie(config, name, '/')];
  const paths = new Set<string>(['/', sessionCookiePath(config)]);
  const segments = requestPath.split('?')[0]!.split('/').filter(Boolean);
  for (let i = 1; i <= segments.length && paths.size < MAX_CLEARED_PATHS / 2; i++) paths.add(`/${segments.slice(0, i).join('/')}`);
  for (const p of COMMON_PATHS) paths.add(`${config.basePath}${p}`);
  return [...paths].slice(0, MAX_CLEARED_PATHS).map((path) => clearCookie(config, name, path));
}

/**
 * The sign-in cookie of one attempt, named after a digest of its state: sign-ins started in
 * parallel (several tabs, or a page whose many requests all found the session ended) each keep
 * their own transaction instead of overwriting one another's and failing on "state mismatch".
 * The callback finds its cookie by the state it receives; the name reveals nothing of the state.
 */
export function loginAttemptCookieName(config: Config, state: string): string {
  const id = createHash('sha256').update(state).digest('base64url').slice(0, 12);
  return `${sessionCookieName(config)}_${id}_login`; // __Host- prefixed like the session cookie when Secure
}
