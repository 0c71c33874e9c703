import { claimAtPath } from '../claims/path.js';
import { evaluateMapping, firstMappedValue, parseMapping, type MappingExpr } from '../claims/mapping.js';
import { checkEmailDomain, checkHostedDomain } from '../claims/restrictions.js';
import { GatewayError } from '../errors/index.js';
import type { LoginIdentity, UserStore } from '../store/index.js';
import type { ProviderConfig } from './providers/types.js';
import { scimIdentityFields, type ScimSignIn } from '../scim/sign-in.js';

/** Reads a claim path (`realm_access.roles`, `https://example.com/groups`) from a claims object. */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  return claimAtPath(claims, path);
}

/** Parsed mapping expressions, by text (validated at start-up, so parsing here cannot fail). */
const parsed = new Map<string, MappingExpr>();
function mapping(text: string): MappingExpr {
  let expr = parsed.get(text);
  if (!expr) {
    expr = parseMapping(text);
    if (parsed.size < 1000) parsed.set(text, expr);
  }
  return expr;
}

/** How a setting of `provider` is spelled for an operator (`OIDC_USERNAME_CLAIM`, `GATEWAY_PROVIDER_GH_USERNAME_CLAIM`). */
function settingName(provider: ProviderConfig, suffix: string): string {
  return provider.settingsName.endsWith('*') ? provider.settingsName.replace('*', suffix) : `${provider.settingsName} (${suffix.toLowerCase()})`;
}

/**
 * Maps verified claims of `provider` to the gateway's identity and enforces that provider's
 * allowed-groups rule. The key is `<issuer>#<sub>`: issuers are unique among providers, so it is
 * the (provider, subject) pair and stays stable when a provider is renamed.
 * Claims are read through the provider's claim mappings (src/claims/mapping.ts); the hosted-domain
 * and email-domain restrictions apply before the group rule.
 * Throws GW_FORBIDDEN_GROUP / GW_FORBIDDEN_DOMAIN / GW_INVALID_TOKEN with a message that names the missing piece.
 */
export function identityFromClaims(provider: ProviderConfig, claims: Record<string, unknown>, opts: { enforceAllowedGroups?: boolean } = {}): LoginIdentity {
  const iss = claims.iss;
  const sub = claims.sub;
  if (typeof iss !== 'string' || typeof sub !== 'string' || sub.length === 0) {
    throw new GatewayError('GW_INVALID_TOKEN', 'The token has no subject (sub) or issuer (iss)');
  }
  if (iss !== provider.issuer) {
    throw new GatewayError('GW_INVALID_TOKEN', `The token was issued by ${iss.slice(0, 200)}, not by the identity provider ${provider.id}`);
  }
  const username = firstMappedValue(mapping(provider.claims.username), claims);
  if (!username) {
    throw new GatewayError('GW_INVALID_TOKEN', `The identity has no username: none of ${provider.claims.username} is present (set ${settingName(provider, 'USERNAME_CLAIM')})`);
  }
  const email = firstMappedValue(mapping(provider.claims.email), claims) ?? null;
  // Restrictions on who may sign in at all come first, for administrators too.
  checkHostedDomain(claims, provider.hostedDomains);
  checkEmailDomain(email, claims, provider.allowedEmailDomains);
  const groups = evaluateMapping(mapping(provider.claims.groups), claims, { splitCommaStrings: true });
  const isAdmin = groups.some((g) => provider.adminGroups.includes(g));
  if (opts.enforceAllowedGroups !== false) assertAllowedGroups(provider, { username, groups, isAdmin });
  const name = typeof claims.name === 'string' ? claims.name : null;
  return {
    subjectKey: `${iss}#${sub}`, username, email, displayName: name, groups, isAdmin,
    provider: provider.id,
    // Only a boolean true counts: a string "true" or a missing claim is not a verification.
    emailVerified: email !== null && claims.email_verified === true,
    linkByEmail: provider.linkByEmail,
  };
}

/** The provider's allowed-groups rule (administrators always pass); GW_FORBIDDEN_GROUP otherwise. */
export function assertAllowedGroups(provider: ProviderConfig, who: { username: string; groups: readonly string[]; isAdmin: boolean }): void {
  if (!who.isAdmin && provider.allowedGroups.length > 0 && !who.groups.some((g) => provider.allowedGroups.includes(g))) {
    throw new GatewayError('GW_FORBIDDEN_GROUP', `${who.username} is not in a group allowed to use MLflow (${provider.allowedGroups.join(', ')})`);
  }
}

/**
 * Maps claims and applies the provider's allowed-groups rule, but first records the groups of a
 * person who already has an account: someone the provider no longer lets in loses access with
 * everything they hold (personal tokens are checked against the groups as last seen), not only
 * with the credential presented now. Nobody new gets an account by being refused.
 */
export async function admittedIdentity(
  provider: ProviderConfig,
  claims: Record<string, unknown>,
  users: Pick<UserStore, 'findBySubject' | 'upsertOnLogin'>,
  scim?: ScimSignIn,
): Promise<LoginIdentity> {
  const identity = { ...identityFromClaims(provider, claims, { enforceAllowedGroups: false }), ...scimIdentityFields(scim, provider.id, claims) };
  try {
    assertAllowedGroups(provider, identity);
  } catch (refusal) {
    if (await users.findBySubject(identity.subjectKey)) {
      await users.upsertOnLogin(identity, new Date()).catch(() => undefined); // a username clash changes nothing here
    }
    throw refusal;
  }
  return identity;
}
