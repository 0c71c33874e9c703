import { createHash } from 'node:crypto';
import type { Config } from '../config/index.js';

// Cookie attributes in one place: HttpOnly always, SameSite=Lax (sent on the IdP's top-level
// redirect back to the callback, never on cross-site sub-requests), Secure whenever the public URL
// is https, and Path scoped to the gateway's mount point.

export interface CookieSpec {
  name: string;
  value: string;
  path: string;
  maxAgeSeconds?: number;
}

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
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (name && !out.has(name)) out.set(name, part.slice(i + 1).trim()); // ` =x` has no name
  }
  return out;
}

export function sessionCookiePath(config: Config): string {
  return config.basePath === '' ? '/' : config.basePath;
}

export function loginCookieName(config: Config): string {
  return `${config.cookieName}_login`;
}

/**
 * The sign-in cookie of one attempt, named after a digest of its state: sign-ins started in
 * parallel (several tabs, or a page whose many requests all found the session ended) each keep
 * their own transaction instead of overwriting one another's and failing on "state mismatch".
 * The callback finds its cookie by the state it receives; the name reveals nothing of the state.
 */
export function loginAttemptCookieName(config: Config, state: string): string {
  const id = createHash('sha256').update(state).digest('base64url').slice(0, 12);
  return `${config.cookieName}_${id}_login`;
}
