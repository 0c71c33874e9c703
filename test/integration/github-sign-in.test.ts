import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from '../support/http-browser.js';
import { adminApi } from '../support/admin-api.js';
import { callerFor, unique } from '../support/mlflow-api.js';
import { startGitHubFixture, type GitHubFixture } from '../support/github-fixture.js';
import { startStack, type Stack } from '../support/stack.js';

// "Sign in with GitHub" through the gateway's real routes, next to the demo OpenID provider. GitHub
// (github.com and api.github.com) is played by a local server answering with fixtures written from
// GitHub's public documentation (test/fixtures/github/README.md); the gateway's HTTP client is the
// production one, pointed there by the provider's ISSUER and API_URL settings (as for GitHub Enterprise).
describe('GitHub sign-in (OAuth 2.0, identity from the REST API)', () => {
  let gh: GitHubFixture;
  let stack: Stack;

  beforeAll(async () => {
    gh = await startGitHubFixture();
    stack = await startStack({
      env: {
        GATEWAY_PROVIDERS: 'github',
        GATEWAY_PROVIDER_GITHUB_PRESET: 'github',
        GATEWAY_PROVIDER_GITHUB_ISSUER: gh.url,
        GATEWAY_PROVIDER_GITHUB_API_URL: `${gh.url}/api/v3`,
        GATEWAY_PROVIDER_GITHUB_CLIENT_ID: gh.clientId,
        GATEWAY_PROVIDER_GITHUB_CLIENT_SECRET: gh.clientSecret,
        GATEWAY_PROVIDER_GITHUB_ALLOWED_GROUPS: 'github', // the organisation
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await gh?.stop();
  });

  async function signInWithGitHub(user: 'octocat' | 'hubot') {
    gh.signInAs(user);
    const browser = new HttpBrowser();
    const result = await browser.follow(`${stack.gatewayUrl}/_gateway/login?provider=github`);
    return { browser, result, hasSession: browser.cookie(stack.origin, stack.config.cookieName) !== undefined };
  }

  it('lists GitHub on the sign-in page and sends the browser to GitHub with state and PKCE S256', async () => {
    const page = await new HttpBrowser().get(`${stack.gatewayUrl}/_gateway/login`);
    expect(await page.text()).toContain('GitHub');
    const start = await new HttpBrowser().get(`${stack.gatewayUrl}/_gateway/login?provider=github`);
    expect(start.status).toBe(302);
    const to = new URL(start.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(`${gh.url}/login/oauth/authorize`);
    expect(Object.fromEntries(to.searchParams)).toMatchObject({
      client_id: gh.clientId, redirect_uri: `${stack.gatewayUrl}/_gateway/callback/github`, scope: 'read:user user:email read:org',
      code_challenge_method: 'S256', state: expect.stringMatching(/.{20,}/), code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
  });

  it('a member of the organisation signs in: user keyed by GitHub id, groups = organisations and org/team', async () => {
    gh.server.requests.length = 0;
    const { browser, result, hasSession } = await signInWithGitHub('octocat');
    expect(result.response.status).toBe(200);
    expect(hasSession).toBe(true);
    const who = await (await browser.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`)).json();
    expect(who).toMatchObject({ username: 'octocat', email: 'octocat@github.com', groups: ['github', 'octo-org', 'github/justice-league'], is_admin: false });
    const user = await stack.server.gateway.store.users.getByUsername('octocat');
    expect(user).toMatchObject({ subjectKey: `${gh.url}#1` });
    // The code was exchanged with the PKCE verifier (the fixture checks it), and the organisations' second page was read.
    expect(gh.server.requests.some((r) => r.path === '/login/oauth/access_token' && new URLSearchParams(r.body).has('code_verifier'))).toBe(true);
    expect(gh.server.requests.some((r) => r.path === '/api/v3/user/orgs' && r.query.get('page') === '2')).toBe(true);
    // No GitHub token in the logs.
    expect(stack.logs.join('\n')).not.toMatch(/gho_[0-9a-f]{10}/);
  });

  it('MLflow access follows team membership: a grant to github/justice-league opens the experiment', async () => {
    const admin = await callerFor(stack, 'admin');
    const created = await admin.post('experiments/create', { name: unique('gh-team') });
    expect(created.status).toBe(200);
    const id = String(created.json.experiment_id);
    const { browser } = await signInWithGitHub('octocat');
    const read = () => browser.get(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/get?experiment_id=${id}`, { accept: 'application/json' });
    expect((await read()).status).toBe(403);
    const grant = await adminApi(stack, 'PUT', 'grants', { token: admin.token, body: { principal_type: 'group', principal: 'github/justice-league', resource_type: 'experiment', resource_id: id, level: 'READ' } });
    expect(grant.status).toBe(200);
    expect((await read()).status).toBe(200);
  });

  it('someone outside the allowed organisation is refused at the callback, with no session', async () => {
    const { browser, result, hasSession } = await signInWithGitHub('hubot');
    expect(result.url.startsWith(`${stack.gatewayUrl}/_gateway/callback/github?`)).toBe(true);
    expect(result.response.status).toBe(403);
    expect(await result.response.text()).toContain('GW_FORBIDDEN_GROUP');
    expect(hasSession).toBe(false);
    expect((await browser.get(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { accept: 'application/json' })).status).toBe(401);
    expect(await stack.server.gateway.store.users.getByUsername('hubot')).toBeUndefined();
  });

  it('a replayed or forged callback is refused (state and single-use sign-in cookie)', async () => {
    const browser = new HttpBrowser();
    const res = await browser.get(`${stack.gatewayUrl}/_gateway/callback/github?code=forged&state=forged`, { accept: 'application/json' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ gateway_code: 'GW_LOGIN_FAILED' });
  });

  it('bearer tokens claiming to come from GitHub are refused (GitHub issues no JWTs)', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ iss: gh.url, sub: '1', aud: gh.clientId, exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
    const res = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: `Bearer ${header}.${body}.c2ln` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ gateway_code: 'GW_INVALID_TOKEN', message: expect.stringMatching(/issues no JWTs/) });
  });
});
