// Email addresses as identity evidence. Pure functions.
//
// An email-domain restriction is only as good as the parser behind it: oauth2-proxy once took the
// text after the LAST '@' of `attacker@evil.com@example.com` as the domain (GHSA-c5c4-8r6x-56w3).
// Here an address is accepted only in the plain form IdPs issue: exactly one '@', a non-empty local
// part without quotes, comments, spaces or angle brackets, and an ASCII hostname (IDNs in their
// `xn--` form). Anything else is not an address, so it can never match an allowed domain.

export interface EmailAddress {
  readonly local: string;
  /** Lower-cased: domains compare case-insensitively. */
  readonly domain: string;
}

/** Characters RFC 5322 reserves ("specials"), whitespace and control characters: never in an accepted local part. */
const FORBIDDEN_IN_LOCAL = /[\s"(),:;<>@[\\\]\u0000-\u001f\u007f]/u;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function parseEmail(value: unknown): EmailAddress | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 320) return undefined;
  const at = value.indexOf('@');
  if (at <= 0 || value.indexOf('@', at + 1) !== -1) return undefined; // none, empty local part, or several
  const local = value.slice(0, at);
  const domain = value.slice(at + 1).toLowerCase();
  if (local.length > 64 || FORBIDDEN_IN_LOCAL.test(local)) return undefined;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return undefined;
  if (domain.length === 0 || domain.length > 253) return undefined;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return undefined;
  return { local, domain };
}

/**
 * Normalises an allow-list entry: `example.com` allows exactly that domain, `*.example.com` allows
 * its subdomains only (list both to allow both). Returns undefined for an entry that is not a domain.
 */
export function parseAllowedDomain(entry: string): { domain: string; subdomains: boolean } | undefined {
  const e = entry.trim().toLowerCase();
  const subdomains = e.startsWith('*.');
  const domain = subdomains ? e.slice(2) : e;
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return undefined;
  return { domain, subdomains };
}

/** Whether `email` parses and its domain is on the allow-list. An empty allow-list allows nothing. */
export function emailDomainAllowed(email: unknown, allowed: readonly string[]): boolean {
  const parsed = parseEmail(email);
  if (!parsed) return false;
  return allowed.some((entry) => {
    const a = parseAllowedDomain(entry);
    if (!a) return false;
    return a.subdomains ? parsed.domain.endsWith(`.${a.domain}`) : parsed.domain === a.domain;
  });
}

/**
 * `email_verified` as the IdP sent it: true, false, or undefined when absent. Cognito and some
 * others send the string "true"/"false"; anything else that is present counts as not verified.
 */
export function emailVerified(claims: Record<string, unknown>): boolean | undefined {
  if (!Object.hasOwn(claims, 'email_verified')) return undefined;
  const v = claims.email_verified;
  return v === true || v === 'true';
}
