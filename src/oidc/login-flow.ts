import * as client from 'openid-client';
import { GatewayError } from '../errors/index.js';
import type { GitHubClientSettings } from '../github/login.js';
import { applySignInQuirks, extraAuthorizationParams } from '../idp-presets/sign-in-hooks.js';
import type { Sealer } from '../session/seal.js';
import type { OidcProvider } from './provider.js';
import type { ProviderEntry } from './providers/registry.js';

/** What the sign-in cookie carries between /login and /callback (sealed, 10 minutes). */
interface LoginTransaction {
  /** The provider the sign-in was started with: only its callback may complete it. */
  provider: string;
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

export const LOGIN_TTL_SECONDS = 600;

export interface TokenSet {
  /** Id of the provider that issued the tokens. */
  readonly provider: string;
  readonly claims: Record<string, unknown>;
  readonly idToken: string | undefined;
  readonly refreshToken: string | undefined;
  readonly accessToken: string;
  /** When the IdP access token expires (drives refresh). */
  readonly expiresAt: Date | null;
}

export async function startLogin(provider: ProviderEntry, sealer: Sealer, returnTo: string): Promise<{ url: string; cookie: string; state: string }> {
  const config = provider.config;
  const oidc = await provider.client.get();
  const tx: LoginTransaction = {
    provider: config.id,
    state: client.randomState(),
    nonce: client.randomNonce(),
    verifier: client.randomPKCECodeVerifier(),
    returnTo,
  };
  const challenge = await client.calculatePKCECodeChallenge(tx.verifier);
  if (config.kind === 'github') {
    const { githubLoginUrl } = await githubLogin();
    return { url: githubLoginUrl(await githubSettings(provider), tx.state, challenge), cookie: sealer.seal(tx, LOGIN_TTL_SECONDS), state: tx.state };
  }
  const url = client.buildAuthorizationUrl(oidc, {
    ...extraAuthorizationParams(config.preset, config.hostedDomains),
    redirect_uri: config.redirectUri,
    scope: config.scopes.join(' '),
    response_type: 'code',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: tx.state,
    nonce: tx.nonce,
  });
  return { url: url.href, cookie: sealer.seal(tx, LOGIN_TTL_SECONDS), state: tx.state };
}

/**
 * Completes the authorization-code grant at the callback of `provider` (the route's provider).
 * Mix-up defence first: the sign-in must have been started with this provider, and the RFC 9207
 * `iss` response parameter must name this provider's issuer (required when its metadata says it
 * sends one). Then: state, code exchange with the PKCE verifier, ID token validation (signature,
 * iss, aud, nonce), and userinfo claims merged in (some IdPs put groups only there).
 */
export async function completeLogin(
  provider: ProviderEntry,
  sealer: Sealer,
  query: string,
  sealedTx: string | undefined,
): Promise<{ tokens: TokenSet; returnTo: string }> {
  const config = provider.config;
  const tx = sealedTx ? sealer.open<LoginTransaction>(sealedTx) : undefined;
  if (!tx) {
    throw new GatewayError('GW_LOGIN_FAILED', 'The sign-in attempt expired or was started in another browser; start again');
  }
  if (typeof tx.provider !== 'string') {
    // Sealed before several providers existed (an upgrade mid-sign-in): start again.
    throw new GatewayError('GW_LOGIN_FAILED', 'The sign-in attempt expired or was started in another browser; start again');
  }
  if (tx.provider !== config.id) {
    throw new GatewayError('GW_LOGIN_MIX_UP', `This sign-in was started with the identity provider ${tx.provider} but its response arrived at the callback of ${config.id}; start again`);
  }
  const params = new URLSearchParams(query);
  const oidc = await provider.client.get();
  const iss = params.get('iss');
  if (iss !== null && iss !== config.issuer) {
    throw new GatewayError('GW_LOGIN_MIX_UP', `The sign-in response names the issuer ${iss.slice(0, 200)}, not ${config.id}'s (${config.issuer}); start again`);
  }
  if (iss === null && oidc.serverMetadata().authorization_response_iss_parameter_supported === true) {
    throw new GatewayError('GW_LOGIN_MIX_UP', `The sign-in response lacks the iss parameter that ${config.id} always sends (RFC 9207); start again`);
  }
  const idpError = params.get('error');
  if (idpError) {
    const description = (params.get('error_description') ?? '').slice(0, 200);
    throw new GatewayError('GW_LOGIN_FAILED', `The identity provider refused the sign-in: ${idpError}${description ? ` (${description})` : ''}`);
  }
  if (params.get('state') !== tx.state) {
    throw new GatewayError('GW_LOGIN_FAILED', 'The sign-in response does not match this browser\'s sign-in attempt (state mismatch)');
  }
  if (config.kind === 'github') {
    const { completeGitHubLogin } = await githubLogin();
    const { claims, accessToken } = await completeGitHubLogin(await githubSettings(provider), params, { state: tx.state, verifier: tx.verifier });
    // GitHub OAuth app tokens do not expire and come without refresh token: the session lives to its maximum age.
    return { tokens: { provider: config.id, claims, idToken: undefined, refreshToken: undefined, accessToken, expiresAt: null }, returnTo: tx.returnTo };
  }
  let response: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
  try {
    response = await client.authorizationCodeGrant(oidc, new URL(`${config.redirectUri}?${query}`), {
      pkceCodeVerifier: tx.verifier,
      expectedState: tx.state,
      expectedNonce: tx.nonce,
      idTokenExpected: true,
    });
  } catch (err) {
    throw new GatewayError('GW_LOGIN_FAILED', `The sign-in could not be completed: ${describeOidcError(err)}`, { cause: err });
  }
  const idClaims = response.claims();
  if (!idClaims) throw new GatewayError('GW_LOGIN_FAILED', 'The identity provider returned no ID token');
  // openid-client checked iss against the discovered issuer; this pins it to the configured one.
  if (idClaims.iss !== config.issuer) {
    throw new GatewayError('GW_LOGIN_MIX_UP', `The ID token was issued by ${String(idClaims.iss).slice(0, 200)}, not by ${config.id} (${config.issuer})`);
  }
  let claims: Record<string, unknown> = { ...idClaims };
  if (oidc.serverMetadata().userinfo_endpoint) {
    try {
      const info = await client.fetchUserInfo(oidc, response.access_token, idClaims.sub);
      claims = { ...info, ...claims }; // ID-token claims win: they are signed
    } catch {
      // userinfo is a best-effort enrichment; the ID token alone is authoritative
    }
  }
  claims = await applySignInQuirks({ preset: config.preset, hostedDomains: config.hostedDomains, graphUrl: config.graphUrl, idTokenClaims: idClaims, claims, accessToken: response.access_token });
  return { tokens: toTokenSet(config.id, response, claims), returnTo: tx.returnTo };
}

export async function refreshTokens(provider: ProviderEntry, refreshToken: string, previous: Record<string, unknown>): Promise<TokenSet> {
  const oidc = await provider.client.get();
  const response = await client.refreshTokenGrant(oidc, refreshToken);
  const idClaims = response.claims();
  // A refresh may omit the ID token; then the previous claims (groups etc.) stay in force.
  if (!idClaims) return toTokenSet(provider.config.id, response, previous, refreshToken);
  const c = provider.config;
  // A new ID token goes through the same quirks as at sign-in (hosted domain, Entra groups overage).
  const claims = await applySignInQuirks({ preset: c.preset, hostedDomains: c.hostedDomains, graphUrl: c.graphUrl, idTokenClaims: idClaims, claims: { ...idClaims }, accessToken: response.access_token });
  return toTokenSet(c.id, response, claims, refreshToken);
}

// The GitHub sign-in code is loaded by the first GitHub sign-in, not by every `serve`.
const githubLogin = () => import('../github/login.js');

async function githubSettings(provider: ProviderEntry): Promise<GitHubClientSettings> {
  const c = provider.config;
  const { GITHUB_API_URL } = await import('../github/api.js');
  return { webUrl: c.issuer, apiUrl: c.apiUrl ?? GITHUB_API_URL, clientId: c.clientId, clientSecret: c.clientSecret, redirectUri: c.redirectUri, scopes: c.scopes };
}

function toTokenSet(provider: string, r: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, claims: Record<string, unknown>, fallbackRefresh?: string): TokenSet {
  const expiresIn = r.expiresIn();
  return {
    provider,
    claims,
    idToken: r.id_token,
    refreshToken: r.refresh_token ?? fallbackRefresh,
    accessToken: r.access_token,
    expiresAt: expiresIn === undefined ? null : new Date(Date.now() + expiresIn * 1000),
  };
}

/** Whether a refresh failure means the grant is gone (vs. the IdP being unreachable). */
export function isGrantRevoked(err: unknown): boolean {
  return err instanceof client.ResponseBodyError && ['invalid_grant', 'unauthorized_client', 'invalid_client'].includes(err.error);
}

export async function endSessionUrl(provider: OidcProvider, idTokenHint: string | undefined, postLogoutRedirectUri: string): Promise<string | undefined> {
  try {
    const oidc = await provider.get();
    if (!oidc.serverMetadata().end_session_endpoint) return undefined;
    const params: Record<string, string> = { post_logout_redirect_uri: postLogoutRedirectUri };
    if (idTokenHint) params.id_token_hint = idTokenHint;
    return client.buildEndSessionUrl(oidc, params).href;
  } catch {
    return undefined; // IdP unreachable: local sign-out still happens
  }
}

function describeOidcError(err: unknown): string {
  if (err instanceof client.ResponseBodyError) return `${err.error}${err.error_description ? ` (${err.error_description.slice(0, 200)})` : ''}`;
  if (err instanceof client.AuthorizationResponseError) return err.error;
  if (err instanceof Error) return err.message.slice(0, 200);
  return 'unknown error';
}
