import * as client from 'openid-client';
import type { Config } from '../config/index.js';
import { GatewayError } from '../errors/index.js';
import type { Sealer } from '../session/seal.js';
import type { OidcProvider } from './provider.js';

/** What the sign-in cookie carries between /login and /callback (sealed, 10 minutes). */
interface LoginTransaction {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

export const LOGIN_TTL_SECONDS = 600;

export interface TokenSet {
  readonly claims: Record<string, unknown>;
  readonly idToken: string | undefined;
  readonly refreshToken: string | undefined;
  readonly accessToken: string;
  /** When the IdP access token expires (drives refresh). */
  readonly expiresAt: Date | null;
}

export async function startLogin(config: Config, provider: OidcProvider, sealer: Sealer, returnTo: string): Promise<{ url: string; cookie: string }> {
  const oidc = await provider.get();
  const tx: LoginTransaction = {
    state: client.randomState(),
    nonce: client.randomNonce(),
    verifier: client.randomPKCECodeVerifier(),
    returnTo,
  };
  const url = client.buildAuthorizationUrl(oidc, {
    redirect_uri: config.redirectUri,
    scope: config.scopes.join(' '),
    response_type: 'code',
    code_challenge: await client.calculatePKCECodeChallenge(tx.verifier),
    code_challenge_method: 'S256',
    state: tx.state,
    nonce: tx.nonce,
  });
  return { url: url.href, cookie: sealer.seal(tx, LOGIN_TTL_SECONDS) };
}

/**
 * Completes the authorization-code grant: checks state, exchanges the code with the PKCE verifier,
 * validates the ID token (signature, iss, aud, nonce, RFC 9207 `iss` when offered) and merges
 * userinfo claims (some IdPs put groups only there).
 */
export async function completeLogin(
  config: Config,
  provider: OidcProvider,
  sealer: Sealer,
  query: string,
  sealedTx: string | undefined,
): Promise<{ tokens: TokenSet; returnTo: string }> {
  const tx = sealedTx ? sealer.open<LoginTransaction>(sealedTx) : undefined;
  if (!tx) {
    throw new GatewayError('GW_LOGIN_FAILED', 'The sign-in attempt expired or was started in another browser; start again');
  }
  const params = new URLSearchParams(query);
  const idpError = params.get('error');
  if (idpError) {
    const description = (params.get('error_description') ?? '').slice(0, 200);
    throw new GatewayError('GW_LOGIN_FAILED', `The identity provider refused the sign-in: ${idpError}${description ? ` (${description})` : ''}`);
  }
  if (params.get('state') !== tx.state) {
    throw new GatewayError('GW_LOGIN_FAILED', 'The sign-in response does not match this browser\'s sign-in attempt (state mismatch)');
  }
  const oidc = await provider.get();
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
  let claims: Record<string, unknown> = { ...idClaims };
  if (oidc.serverMetadata().userinfo_endpoint) {
    try {
      const info = await client.fetchUserInfo(oidc, response.access_token, idClaims.sub);
      claims = { ...info, ...claims }; // ID-token claims win: they are signed
    } catch {
      // userinfo is a best-effort enrichment; the ID token alone is authoritative
    }
  }
  return { tokens: toTokenSet(response, claims), returnTo: tx.returnTo };
}

export async function refreshTokens(provider: OidcProvider, refreshToken: string, previous: Record<string, unknown>): Promise<TokenSet> {
  const oidc = await provider.get();
  const response = await client.refreshTokenGrant(oidc, refreshToken);
  const claims = response.claims();
  // A refresh may omit the ID token; then the previous claims (groups etc.) stay in force.
  return toTokenSet(response, claims ? { ...claims } : previous, refreshToken);
}

function toTokenSet(r: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, claims: Record<string, unknown>, fallbackRefresh?: string): TokenSet {
  const expiresIn = r.expiresIn();
  return {
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
