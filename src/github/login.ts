// Sign-in with GitHub: authorization code with state and PKCE (S256), then the identity from the
// REST API. The state, PKCE verifier and return address travel in the same sealed, single-use
// sign-in cookie as OpenID Connect sign-ins (src/oidc/login-flow.ts).
import { GatewayError } from '../errors/index.js';
import { exchangeGitHubCode, fetchGitHubProfile, githubAuthorizeUrl } from './api.js';
import { claimsFromGitHub } from './claims.js';

export interface GitHubClientSettings {
  /** github.com, or a GitHub Enterprise Server URL. */
  readonly webUrl: string;
  /** api.github.com, or `<GHES>/api/v3`. */
  readonly apiUrl: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
}

export function githubLoginUrl(s: GitHubClientSettings, state: string, codeChallenge: string): string {
  return githubAuthorizeUrl(s.webUrl, { clientId: s.clientId, redirectUri: s.redirectUri, scopes: s.scopes, state, codeChallenge });
}

/**
 * Completes a GitHub sign-in from the callback's query: the IdP error, then the state, then the
 * code exchange with the PKCE verifier, then the profile. Returns claims and the access token.
 */
export async function completeGitHubLogin(s: GitHubClientSettings, params: URLSearchParams, expected: { state: string; verifier: string }): Promise<{ claims: Record<string, unknown>; accessToken: string }> {
  const error = params.get('error');
  if (error) {
    const description = (params.get('error_description') ?? '').slice(0, 200);
    throw new GatewayError('GW_LOGIN_FAILED', `GitHub refused the sign-in: ${error.slice(0, 100)}${description ? ` (${description})` : ''}`);
  }
  if (params.get('state') !== expected.state) {
    throw new GatewayError('GW_LOGIN_FAILED', 'The sign-in response does not match this browser\'s sign-in attempt (state mismatch)');
  }
  const code = params.get('code');
  if (!code) throw new GatewayError('GW_LOGIN_FAILED', 'GitHub sent no authorization code');
  const accessToken = await exchangeGitHubCode(s.webUrl, { clientId: s.clientId, clientSecret: s.clientSecret, code, redirectUri: s.redirectUri, codeVerifier: expected.verifier });
  const profile = await fetchGitHubProfile(s.apiUrl, accessToken);
  return { claims: claimsFromGitHub(s.webUrl, profile), accessToken };
}
