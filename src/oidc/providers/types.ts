/**
 * One configured identity provider, as the rest of the gateway sees it: validated and frozen.
 * The gateway can have several; each signs people in through its own callback, verifies its own
 * bearer JWTs (its issuer, audience and algorithms) and maps its own claims.
 */

/** How the gateway talks to the provider. 'oidc': discovery, authorization code + PKCE, ID tokens. */
export type ProviderKind = 'oidc';

/** Where the identity is read from in the (verified) claims: dotted paths. */
export interface ClaimMapping {
  /** Tried in order; the first non-empty string is the username. */
  readonly username: readonly string[];
  readonly email: string;
  readonly groups: string;
}

export interface ProviderConfig {
  /** Slug: lower-case letters, digits and `-`; part of the callback path and of setting names. */
  readonly id: string;
  readonly displayName: string;
  readonly kind: ProviderKind;
  /** The preset whose defaults were applied (`keycloak`, `entra`…), if any. */
  readonly preset: string | undefined;
  /** Issuer URL (no discovery suffix). Unique among providers: a JWT's `iss` picks its provider. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly scopes: readonly string[];
  /** Absolute redirect URI registered at the provider. */
  readonly redirectUri: string;
  /** Path of the callback route, under the mount point: `/_gateway/callback` or `/_gateway/callback/<id>`. */
  readonly callbackPath: string;
  readonly claims: ClaimMapping;
  readonly allowedGroups: readonly string[];
  readonly adminGroups: readonly string[];
  /** Accepted `aud` values of bearer JWTs from this provider (default: the client id). */
  readonly audience: readonly string[];
  /** Asymmetric signature algorithms accepted for this provider's JWTs. */
  readonly algorithms: readonly string[];
  /** Sign a person in to an existing account with the same verified email (off by default). */
  readonly linkByEmail: boolean;
  /** How operators name this provider's settings, for messages: `OIDC_*`, `GATEWAY_PROVIDER_ENTRA_*`, `providers[1]`. */
  readonly settingsName: string;
}

/** The id of the provider configured by the classic single-provider `OIDC_*` settings. */
export const LEGACY_PROVIDER_ID = 'oidc';
