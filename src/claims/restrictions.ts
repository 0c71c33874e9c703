// Who may sign in at all, by email domain and (Google) hosted domain. Pure functions that throw
// GW_FORBIDDEN_DOMAIN; they run on every sign-in and every refresh, like the allowed-groups rule.
import { GatewayError } from '../errors/index.js';
import { emailDomainAllowed, emailVerified, parseEmail } from './email.js';

/**
 * Enforces an email-domain allow-list (empty: no restriction). The address must parse strictly
 * (one '@', no quotes or comments: see email.ts) and, when the provider states `email_verified`,
 * it must be true: an unverified address proves nothing about the domain.
 */
export function checkEmailDomain(email: string | null | undefined, claims: Record<string, unknown>, allowedDomains: readonly string[]): void {
  if (allowedDomains.length === 0) return;
  if (email === null || email === undefined || email === '') {
    throw new GatewayError('GW_FORBIDDEN_DOMAIN', `Sign-in is limited to addresses at ${allowedDomains.join(', ')}, and the identity provider sent no email address`);
  }
  const parsed = parseEmail(email);
  if (!parsed) throw new GatewayError('GW_FORBIDDEN_DOMAIN', 'The email address sent by the identity provider is not a plain address (one @, no quotes or comments)');
  if (emailVerified(claims) === false) {
    throw new GatewayError('GW_FORBIDDEN_DOMAIN', `The email address ${email} is not verified at the identity provider`);
  }
  if (!emailDomainAllowed(email, allowedDomains)) {
    throw new GatewayError('GW_FORBIDDEN_DOMAIN', `Sign-in is limited to addresses at ${allowedDomains.join(', ')}; ${parsed.domain} is not one of them`);
  }
}

/**
 * Google Workspace: the `hd` parameter sent at sign-in is only a hint the user can edit, so the
 * hosted domain is checked on the signed ID token's `hd` claim (absent for consumer accounts).
 */
export function checkHostedDomain(idTokenClaims: Record<string, unknown>, hostedDomains: readonly string[]): void {
  if (hostedDomains.length === 0) return;
  const hd = idTokenClaims.hd;
  if (typeof hd !== 'string' || !hostedDomains.some((d) => d.toLowerCase() === hd.toLowerCase())) {
    throw new GatewayError('GW_FORBIDDEN_DOMAIN', `Sign-in is limited to the Google Workspace domain${hostedDomains.length > 1 ? 's' : ''} ${hostedDomains.join(', ')}${typeof hd === 'string' ? `; this account belongs to ${hd}` : '; this is not a Workspace account'}`);
  }
}
