// The GitHub side of "Sign in with GitHub" (OAuth 2.0, not OpenID Connect: there is no ID token,
// the identity comes from the REST API). Both base URLs are settings, so GitHub Enterprise Server
// works (`https://ghe.example.com` and `https://ghe.example.com/api/v3`) and tests point this very
// client at a local server answering with fixtures from GitHub's documentation.
// Docs: https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
//       https://docs.github.com/rest/users/users#get-the-authenticated-user (and /user/emails, /user/orgs, /user/teams)
import { GatewayError } from '../errors/index.js';

export const GITHUB_WEB_URL = 'https://github.com';
export const GITHUB_API_URL = 'https://api.github.com';
/** read:user for the profile, user:email for private addresses, read:org for organisations and teams. */
export const GITHUB_SCOPES = ['read:user', 'user:email', 'read:org'] as const;

const TIMEOUT_MS = 10_000;
const MAX_PAGES = 20;
const USER_AGENT = 'mlflow-oidc-gateway';

export interface GitHubUser {
  readonly id: number;
  readonly login: string;
  readonly name: string | null;
  readonly email: string | null;
}
export interface GitHubEmail {
  readonly email: string;
  readonly primary: boolean;
  readonly verified: boolean;
}
export interface GitHubOrg {
  readonly login: string;
}
export interface GitHubTeam {
  readonly slug: string;
  readonly organization: { readonly login: string };
}

export interface GitHubProfile {
  readonly user: GitHubUser;
  readonly emails: readonly GitHubEmail[];
  readonly orgs: readonly GitHubOrg[];
  readonly teams: readonly GitHubTeam[];
}

/** The authorize URL the browser is sent to (PKCE S256 is supported by GitHub since 2025). */
export function githubAuthorizeUrl(webUrl: string, p: { clientId: string; redirectUri: string; scopes: readonly string[]; state: string; codeChallenge: string }): string {
  const url = new URL(`${webUrl.replace(/\/+$/, '')}/login/oauth/authorize`);
  url.searchParams.set('client_id', p.clientId);
  url.searchParams.set('redirect_uri', p.redirectUri);
  url.searchParams.set('scope', p.scopes.join(' '));
  url.searchParams.set('state', p.state);
  url.searchParams.set('code_challenge', p.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('allow_signup', 'false');
  return url.href;
}

/** Exchanges the authorization code. GitHub answers errors with HTTP 200 and an `error` field. */
export async function exchangeGitHubCode(webUrl: string, p: { clientId: string; clientSecret: string | undefined; code: string; redirectUri: string; codeVerifier: string }): Promise<string> {
  const form = new URLSearchParams({ client_id: p.clientId, code: p.code, redirect_uri: p.redirectUri, code_verifier: p.codeVerifier });
  if (p.clientSecret) form.set('client_secret', p.clientSecret);
  const res = await request(`${webUrl.replace(/\/+$/, '')}/login/oauth/access_token`, {
    method: 'POST', body: form, headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
  });
  const body = (await res.json().catch(() => undefined)) as { access_token?: unknown; error?: unknown; error_description?: unknown } | undefined;
  if (!res.ok || !body) throw new GatewayError('GW_LOGIN_FAILED', `GitHub did not complete the sign-in (HTTP ${res.status})`);
  if (typeof body.error === 'string') {
    const description = typeof body.error_description === 'string' ? ` (${body.error_description.slice(0, 200)})` : '';
    throw new GatewayError('GW_LOGIN_FAILED', `GitHub refused the sign-in: ${body.error.slice(0, 100)}${description}`);
  }
  if (typeof body.access_token !== 'string' || body.access_token.length === 0) throw new GatewayError('GW_LOGIN_FAILED', 'GitHub returned no access token');
  return body.access_token;
}

/** The signed-in user, their addresses, organisations and teams, read with their access token. */
export async function fetchGitHubProfile(apiUrl: string, accessToken: string): Promise<GitHubProfile> {
  const base = apiUrl.replace(/\/+$/, '');
  const [user, emails, orgs, teams] = await Promise.all([
    getJson(`${base}/user`, accessToken),
    getPaged(base, '/user/emails', accessToken),
    getPaged(base, '/user/orgs', accessToken),
    getPaged(base, '/user/teams', accessToken),
  ]);
  const u = user as Partial<GitHubUser> | null;
  if (!u || typeof u.id !== 'number' || typeof u.login !== 'string' || u.login.length === 0) {
    throw new GatewayError('GW_LOGIN_FAILED', 'GitHub sent no user id and login');
  }
  return {
    user: { id: u.id, login: u.login, name: typeof u.name === 'string' ? u.name : null, email: typeof u.email === 'string' ? u.email : null },
    emails: emails.filter((e): e is GitHubEmail => isObject(e) && typeof e.email === 'string' && typeof e.primary === 'boolean' && typeof e.verified === 'boolean'),
    orgs: orgs.filter((o): o is GitHubOrg => isObject(o) && typeof o.login === 'string'),
    teams: teams.filter((t): t is GitHubTeam => isObject(t) && typeof t.slug === 'string' && isObject(t.organization) && typeof t.organization.login === 'string'),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, headers: { 'user-agent': USER_AGENT, ...init.headers }, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    throw new GatewayError('GW_IDP_UNAVAILABLE', 'GitHub is unreachable; try again shortly', { cause: err, detail: `${init.method ?? 'GET'} ${new URL(url).pathname} failed` });
  }
}

function apiHeaders(accessToken: string): Record<string, string> {
  return { authorization: `Bearer ${accessToken}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' };
}

async function getJson(url: string, accessToken: string): Promise<unknown> {
  const res = await request(url, { headers: apiHeaders(accessToken) });
  if (!res.ok) {
    throw new GatewayError('GW_LOGIN_FAILED', `GitHub answered ${res.status} to ${new URL(url).pathname}${res.status === 403 || res.status === 404 ? ' (the sign-in needs the scopes read:user, user:email and read:org)' : ''}`);
  }
  return res.json();
}

/**
 * Every page of a list endpoint. The `Link: <…>; rel="next"` header is followed only while it stays
 * on the API's origin, so a response can never send the access token elsewhere.
 */
async function getPaged(base: string, path: string, accessToken: string): Promise<unknown[]> {
  const origin = new URL(base).origin;
  const out: unknown[] = [];
  let url: string | undefined = `${base}${path}?per_page=100`;
  for (let page = 0; url !== undefined; page++) {
    if (page >= MAX_PAGES) throw new GatewayError('GW_LOGIN_FAILED', `GitHub listed more than ${MAX_PAGES} pages of ${path}`);
    const res = await request(url, { headers: apiHeaders(accessToken) });
    if (!res.ok) {
      throw new GatewayError('GW_LOGIN_FAILED', `GitHub answered ${res.status} to ${path}${res.status === 403 || res.status === 404 ? ' (the sign-in needs the scopes read:user, user:email and read:org)' : ''}`);
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (!Array.isArray(body)) throw new GatewayError('GW_LOGIN_FAILED', `GitHub sent no list for ${path}`);
    out.push(...(body as unknown[]));
    const next = nextLink(res.headers.get('link'));
    if (next === undefined) url = undefined;
    else if (URL.canParse(next) && new URL(next).origin === origin) url = next;
    else throw new GatewayError('GW_LOGIN_FAILED', `GitHub sent a next-page link for ${path} to another host`);
  }
  return out;
}

/** The `rel="next"` target of an RFC 8288 Link header. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /(?:^|;)\s*rel="?next"?\s*(?:;|$)/.test(m[2]!)) return m[1];
  }
  return undefined;
}
