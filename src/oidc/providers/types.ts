/**
 * One configured identity provider, as the rest of the gateway sees it: validated and frozen.
 * The gateway can have several; each signs people in through its own callback, verifies its own
 * bearer JWTs (its issuer, audience and algorithms) and maps its own claims.
 */

/**
 * How the gateway talks to the provider. 'oidc': discovery, authorization code + PKCE, ID tokens.
 * 'github': OAuth 2.0 authorization code + PKCE, identity from the REST API (src/github/), no JWTs.
 */
export type ProviderKind = 'oidc' | 'github' | 'saml';

/**
 * A SAML 2.0 identity provider (kind 'saml', src/saml/). The gateway is the service provider:
 * its entity id is the provider's `clientId`, its assertion consumer service the `redirectUri`,
 * and the IdP's entity id the provider's `issuer`.
 */
export interface SamlSettings {
  /** The IdP's metadata: an http(s) URL, or a file path. */
  readonly metadata: string;
  /** Which signature a response needs: on the assertion, on the whole response, either, or both. */
  readonly signed: 'either' | 'assertion' | 'response' | 'both';
  /** How the AuthnRequest travels to the IdP. */
  readonly binding: 'redirect' | 'post';
  /** IdP-initiated sign-in (a response to no request of ours); off by default. */
  readonly allowUnsolicited: boolean;
  /** PEM private key and certificate that sign the gateway's requests (AuthnRequest, LogoutRequest), if set. */
  readonly signingKey: string | undefined;
  readonly signingCert: string | undefined;
  /** SP URLs, absolute: metadata (also the default entity id), assertion consumer service, single logout. */
  readonly metadataUrl: string;
  readonly acsUrl: string;
  readonly sloUrl: string;
}

/** Where the identity is read from in the (verified) claims: claim mapping expressions (src/claims/mapping.ts). */
export interface ClaimMapping {
  /** The first value is the username (`preferred_username,email` tries them in order). */
  readonly username: string;
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
  /** Email domains a person must have an address at (empty: any); see src/claims/restrictions.ts. */
  readonly allowedEmailDomains: readonly string[];
  /** Google Workspace domains the ID token's `hd` must name (empty: any). */
  readonly hostedDomains: readonly string[];
  /** Microsoft Graph base URL (Entra ID groups overage). */
  readonly graphUrl: string;
  /** GitHub REST API base URL (kind 'github'; the issuer is GitHub's web URL). */
  readonly apiUrl: string | undefined;
  /** Sign a person in to an existing account with the same verified email (off by default). */
  readonly linkByEmail: boolean;
  /** SAML settings (kind 'saml' only). */
  readonly saml?: SamlSettings | undefined;
  /** How operators name this provider's settings, for messages: `OIDC_*`, `GATEWAY_PROVIDER_ENTRA_*`, `providers[1]`. */
  readonly settingsName: string;
}

/** The id of the provider configured by the classic single-provider `OIDC_*` settings. */
export const LEGACY_PROVIDER_ID = 'oidc';
