import { createHash, randomBytes } from 'node:crypto';
import { startFixtureServer, type FixtureServer } from './fixture-server.js';

/**
 * Plays github.com and api.github.com on 127.0.0.1 for "Sign in with GitHub": the authorize
 * endpoint signs in whichever fixture user the test chose (GitHub's own login page is out of
 * scope) and redirects back with a code; the token endpoint checks client credentials, redirect URI
 * and the PKCE verifier as GitHub does; the API serves fixtures written from GitHub's REST docs
 * (test/fixtures/github/README.md). The gateway uses it through its GitHub base-URL settings.
 */
export interface GitHubFixtureUser {
  readonly user: string;
  readonly emails: string;
  readonly orgPages: readonly string[]; // orgs fixture files, one per page
  readonly teams: string | null; // teams fixture file, or null for []
}

export const GITHUB_USERS = {
  octocat: { user: 'github/user-octocat.json', emails: 'github/emails-octocat.json', orgPages: ['github/orgs-page-1.json', 'github/orgs-page-2.json'], teams: 'github/teams-octocat.json' },
  hubot: { user: 'github/user-hubot.json', emails: 'github/emails-hubot.json', orgPages: ['github/orgs-page-2.json'], teams: null },
} as const satisfies Record<string, GitHubFixtureUser>;

export type GitHubUserName = keyof typeof GITHUB_USERS;

export interface GitHubFixture {
  readonly url: string;
  readonly server: FixtureServer;
  /** Who the next authorize request signs in. */
  signInAs(user: GitHubUserName): void;
  readonly clientId: string;
  readonly clientSecret: string;
  stop(): Promise<void>;
}

export async function startGitHubFixture(): Promise<GitHubFixture> {
  const clientId = 'Iv1.fixture0client';
  const clientSecret = 'fixture-client-secret-0123456789';
  let current: GitHubUserName = 'octocat';
  const codes = new Map<string, { user: GitHubUserName; redirectUri: string; challenge: string }>();
  const tokens = new Map<string, GitHubUserName>();

  const server = await startFixtureServer((req, base) => {
    if (req.method === 'GET' && req.path === '/login/oauth/authorize') {
      const redirectUri = req.query.get('redirect_uri') ?? '';
      if (req.query.get('client_id') !== clientId || req.query.get('code_challenge_method') !== 'S256') return { status: 400, json: { error: 'bad authorize request' } };
      const code = randomBytes(10).toString('hex');
      codes.set(code, { user: current, redirectUri, challenge: req.query.get('code_challenge') ?? '' });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', req.query.get('state') ?? '');
      return { location: back.href };
    }
    if (req.method === 'POST' && req.path === '/login/oauth/access_token') {
      const form = new URLSearchParams(req.body);
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? ''); // single use
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!grant || form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret || form.get('redirect_uri') !== grant.redirectUri || challenge !== grant.challenge) {
        return { fixture: 'github/access-token-bad-verification-code.json' }; // GitHub answers 200 with an error
      }
      const token = `gho_${randomBytes(18).toString('hex')}`;
      tokens.set(token, grant.user);
      return { json: { access_token: token, scope: 'read:org,read:user,user:email', token_type: 'bearer' } };
    }
    const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!user) return { status: 401, json: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' } };
    const f = GITHUB_USERS[user];
    if (req.path === '/api/v3/user') return { fixture: f.user };
    if (req.path === '/api/v3/user/emails') return { fixture: f.emails };
    if (req.path === '/api/v3/user/teams') return f.teams ? { fixture: f.teams } : { json: [] };
    if (req.path === '/api/v3/user/orgs') {
      const page = Number(req.query.get('page') ?? '1');
      const file = f.orgPages[page - 1];
      if (!file) return { json: [] };
      const headers: Record<string, string> = {};
      if (page < f.orgPages.length) headers.link = `<${base}/api/v3/user/orgs?per_page=100&page=${page + 1}>; rel="next", <${base}/api/v3/user/orgs?per_page=100&page=${f.orgPages.length}>; rel="last"`;
      return { fixture: file, headers };
    }
    return undefined;
  });
  return {
    url: server.url, server, clientId, clientSecret,
    signInAs: (u) => {
      current = u;
    },
    stop: () => server.stop(),
  };
}
