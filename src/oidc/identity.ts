import { GatewayError } from '../errors/index.js';
import type { LoginIdentity } from '../store/index.js';
import type { ProviderConfig } from './providers/types.js';

/** Reads a dotted path (`realm_access.roles`) from a claims object. */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (path in claims) return claims[path]; // namespaced claims like `https://example.com/groups`
  let cur: unknown = claims;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function groupsFrom(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string' && g.length > 0);
  if (typeof value === 'string') return value.split(',').map((g) => g.trim()).filter(Boolean);
  return [];
}

/** How a setting of `provider` is spelled for an operator (`OIDC_USERNAME_CLAIM`, `GATEWAY_PROVIDER_GH_USERNAME_CLAIM`). */
function settingName(provider: ProviderConfig, suffix: string): string {
  return provider.settingsName.endsWith('*') ? provider.settingsName.replace('*', suffix) : `${provider.settingsName} (${suffix.toLowerCase()})`;
}

/**
 * Maps verified claims of `provider` to the gateway's identity and enforces that provider's
 * allowed-groups rule. The key is `<issuer>#<sub>`: issuers are unique among providers, so it is
 * the (provider, subject) pair and stays stable when a provider is renamed.
 * Throws GW_FORBIDDEN_GROUP / GW_INVALID_TOKEN with a message that names the missing piece.
 */
export function identityFromClaims(provider: ProviderConfig, claims: Record<string, unknown>): LoginIdentity {
  const iss = claims.iss;
  const sub = claims.sub;
  if (typeof iss !== 'string' || typeof sub !== 'string' || sub.length === 0) {
    throw new GatewayError('GW_INVALID_TOKEN', 'The token has no subject (sub) or issuer (iss)');
  }
  if (iss !== provider.issuer) {
    throw new GatewayError('GW_INVALID_TOKEN', `The token was issued by ${iss.slice(0, 200)}, not by the identity provider ${provider.id}`);
  }
  let username: string | undefined;
  for (const path of provider.claims.username) {
    const v = claimAt(claims, path);
    if (typeof v === 'string' && v.length > 0) {
      username = v;
      break;
    }
  }
  if (!username) {
    throw new GatewayError('GW_INVALID_TOKEN', `The identity has none of the username claims ${provider.claims.username.join(', ')} (set ${settingName(provider, 'USERNAME_CLAIM')})`);
  }
  const groups = groupsFrom(claimAt(claims, provider.claims.groups));
  const isAdmin = groups.some((g) => provider.adminGroups.includes(g));
  if (!isAdmin && provider.allowedGroups.length > 0 && !groups.some((g) => provider.allowedGroups.includes(g))) {
    throw new GatewayError('GW_FORBIDDEN_GROUP', `${username} is not in a group allowed to use MLflow (${provider.allowedGroups.join(', ')})`);
  }
  const emailClaim = claimAt(claims, provider.claims.email);
  const email = typeof emailClaim === 'string' ? emailClaim : null;
  const name = typeof claims.name === 'string' ? claims.name : null;
  return {
    subjectKey: `${iss}#${sub}`, username, email, displayName: name, groups, isAdmin,
    provider: provider.id,
    // Only a boolean true counts: a string "true" or a missing claim is not a verification.
    emailVerified: email !== null && claims.email_verified === true,
  };
}
