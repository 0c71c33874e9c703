// The provider quirks that need code at sign-in and at every token refresh, after the ID token has
// been validated: they may only narrow (refuse) or complete (groups) the identity, never widen it.
import { checkHostedDomain } from '../claims/restrictions.js';

export interface SignInQuirkContext {
  /** The preset the provider was configured with, if any. */
  readonly preset: string | undefined;
  /** Google Workspace domains the `hd` claim must name (empty: any account). */
  readonly hostedDomains: readonly string[];
  /** Microsoft Graph base URL for the Entra ID groups overage. */
  readonly graphUrl: string | undefined;
  /** Claims of the validated ID token alone (not userinfo: the checks rest on signed claims). */
  readonly idTokenClaims: Record<string, unknown>;
  /** ID token and userinfo claims merged, as the identity is mapped from. */
  readonly claims: Record<string, unknown>;
  readonly accessToken: string;
}

/** Extra authorization-request parameters of a preset (Google's `hd` hint: a hint only, checked after). */
export function extraAuthorizationParams(preset: string | undefined, hostedDomains: readonly string[]): Record<string, string> {
  return preset === 'google' && hostedDomains.length === 1 ? { hd: hostedDomains[0]! } : {};
}

/** Applies the preset's checks and completions; returns the claims to map the identity from. */
export async function applySignInQuirks(ctx: SignInQuirkContext): Promise<Record<string, unknown>> {
  // The hosted-domain rule holds whatever the preset: it is configured for Google, but must never be skipped.
  checkHostedDomain(ctx.idTokenClaims, ctx.hostedDomains);
  if (ctx.preset === 'entra') {
    // Loaded by the first Entra ID sign-in only: other deployments never need the Graph client.
    const { DEFAULT_GRAPH_URL, fetchEntraGroups, hasGroupsOverage } = await import('./entra-groups.js');
    if (!hasGroupsOverage(ctx.idTokenClaims)) return ctx.claims;
    const groups = await fetchEntraGroups(ctx.accessToken, ctx.graphUrl ?? DEFAULT_GRAPH_URL);
    return { ...ctx.claims, groups };
  }
  return ctx.claims;
}
