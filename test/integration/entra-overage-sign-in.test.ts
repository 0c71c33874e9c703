import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoUser } from '../../src/devtools/idp/index.js';
import { HttpBrowser } from '../support/http-browser.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { startStack, type Stack } from '../support/stack.js';

// The Entra ID preset's groups overage through the gateway's real sign-in: the real OpenID provider
// (oidc-provider) issues an ID token whose groups are a distributed claim (`_claim_names.groups`,
// as Entra does past ~200 groups); Microsoft Graph is a local server answering with fixtures written
// from its documentation (test/fixtures/graph/README.md), two pages long.
const PAGE_2_GROUP = 'e8c6a2f1-5d3b-4a7e-9c0d-2b1f3e4a5c6d';
const USERS: DemoUser[] = [
  { username: 'olga', password: 'olga-pass', email: 'olga@example.com', name: 'Olga', groups: [], groupsOverage: true },
  { username: 'alice', password: 'alice-pass', email: 'alice@example.com', name: 'Alice', groups: ['team-a'] },
];

describe('Entra ID groups overage at sign-in', () => {
  let graph: FixtureServer;
  let stack: Stack;
  let graphAnswers: 'pages' | 'forbidden' = 'pages';

  beforeAll(async () => {
    graph = await startFixtureServer((req) => {
      if (!/^Bearer .+/.test(req.headers.authorization ?? '')) return { status: 401, json: { error: { code: 'InvalidAuthenticationToken' } } };
      if (req.path !== '/v1.0/me/transitiveMemberOf/microsoft.graph.group') return undefined;
      if (graphAnswers === 'forbidden') return { status: 403, fixture: 'graph/error-forbidden.json' };
      return { fixture: req.query.has('$skiptoken') ? 'graph/transitive-member-of-page-2.json' : 'graph/transitive-member-of-page-1.json' };
    });
    stack = await startStack({
      env: { OIDC_PRESET: 'entra', OIDC_GRAPH_URL: `${graph.url}/v1.0`, OIDC_ALLOWED_GROUPS: PAGE_2_GROUP },
      idp: { users: USERS },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await graph?.stop();
  });

  async function signIn(username: string) {
    const user = USERS.find((u) => u.username === username)!;
    const browser = new HttpBrowser();
    const login = await browser.follow(`${stack.gatewayUrl}/`);
    const result = await browser.submitForm(login.url, await login.response.text(), { username: user.username, password: user.password });
    return { browser, result, hasSession: browser.cookie(stack.origin, stack.config.cookieName) !== undefined };
  }

  it('reads every group from Graph (two pages) with the access token, and admits by a group on page 2', async () => {
    graphAnswers = 'pages';
    graph.requests.length = 0;
    const { browser, result, hasSession } = await signIn('olga');
    expect(result.response.status).toBe(200);
    expect(hasSession).toBe(true);
    const who = (await (await browser.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`)).json()) as { groups: string[] };
    expect(who.groups).toEqual(['11111111-2222-3333-4444-555555555555', '02bd9fd6-8f93-4758-87c3-1fb73740a315', PAGE_2_GROUP]);
    expect(graph.requests).toHaveLength(2);
    expect(stack.logs.join('\n')).not.toContain(graph.requests[0]!.headers.authorization!.slice('Bearer '.length));
  });

  it('fails closed when Graph refuses: no session, a message naming the missing permission', async () => {
    graphAnswers = 'forbidden';
    const { result, hasSession } = await signIn('olga');
    expect(result.response.status).toBe(400);
    const page = await result.response.text();
    expect(page).toContain('GW_LOGIN_FAILED');
    expect(page).toContain('GroupMember.Read.All');
    expect(hasSession).toBe(false);
    graphAnswers = 'pages';
  });

  it('without overage the token\'s own groups count and Graph is not asked', async () => {
    graph.requests.length = 0;
    const { result, hasSession } = await signIn('alice');
    expect(result.response.status).toBe(403); // team-a is not the allowed group
    expect(await result.response.text()).toContain('GW_FORBIDDEN_GROUP');
    expect(hasSession).toBe(false);
    expect(graph.requests).toHaveLength(0);
  });
});
