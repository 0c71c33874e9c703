import type { Config } from '../config/index.js';
import { GatewayError } from '../errors/index.js';
import type { LoginIdentity } from '../store/index.js';

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

/**
 * Maps verified claims to the gateway's identity and enforces the allowed-groups rule.
 * Throws GW_FORBIDDEN_GROUP / GW_INVALID_TOKEN with a message that names the missing piece.
 */
export function identityFromClaims(config: Config, claims: Record<string, unknown>): LoginIdentity {
  const iss = claims.iss;
  const sub = claims.sub;
  if (typeof iss !== 'string' || typeof sub !== 'string' || sub.length === 0) {
    throw new GatewayError('GW_INVALID_TOKEN', 'The token has no subject (sub) or issuer (iss)');
  }
  let username: string | undefined;
  for (const path of config.usernameClaim) {
    const v = claimAt(claims, path);
    if (typeof v === 'string' && v.length > 0) {
      username = v;
      break;
    }
  }
  if (!username) {
    throw new GatewayError('GW_INVALID_TOKEN', `The identity has none of the username claims ${config.usernameClaim.join(', ')} (set OIDC_USERNAME_CLAIM)`);
  }
  const groups = groupsFrom(claimAt(claims, config.groupsClaim));
  const isAdmin = groups.some((g) => config.adminGroups.includes(g));
  if (!isAdmin && config.allowedGroups.length > 0 && !groups.some((g) => config.allowedGroups.includes(g))) {
    throw new GatewayError('GW_FORBIDDEN_GROUP', `${username} is not in a group allowed to use MLflow (${config.allowedGroups.join(', ')})`);
  }
  const email = typeof claims.email === 'string' ? claims.email : null;
  const name = typeof claims.name === 'string' ? claims.name : null;
  return { subjectKey: `${iss}#${sub}`, username, email, displayName: name, groups, isAdmin };
}
