import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS } from '../../src/devtools/idp/index.js';
import { HttpBrowser } from '../support/http-browser.js';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// Group sync with several providers: each provider's own allowed groups apply to its people, and
// what the provider says at every token refresh (new groups, removal from the allowed group) takes
// effect at once — for the browser session, and for the person's personal access tokens.
const API = '/ajax-api/2.0/mlflow/experiments/search?max_results=1';
const ACCESS_TOKEN_TTL_SECONDS = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('group sync with several providers', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      env: { OIDC_ALLOWED_GROUPS: 'team-a' },
      extraProviders: [{
        id: 'partner', displayName: 'Contractors',
        env: { GATEWAY_PROVIDER_PARTNER_ALLOWED_GROUPS: 'contractors' },
        idp: { accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS, users: DEMO_USERS.map((u) => (u.username === 'carol' ? { ...u, groups: ['contractors'] } : u)) },
      }],
    });
  });
  afterAll(async () => stack?.stop());

  const partner = () => stack.idps.partner!;
  const whoami = async (browser: HttpBrowser) => {
    const res = await browser.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`, { accept: 'application/json' });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const pastAccessTokenExpiry = () => sleep(ACCESS_TOKEN_TTL_SECONDS * 1000 + 500);
  const withToken = (token: string) => fetch(`${stack.gatewayUrl}${API}`, { headers: { authorization: `Bearer ${token}` } });

  it('removed-from-allowed-groups-at-second-provider: refreshes sync groups, then end the session and stop the person\'s tokens', async () => {
    // carol is allowed by the partner's rule (contractors), though not by the oidc provider's (team-a).
    const { browser } = await signIn(stack, 'carol', '/', new HttpBrowser(), 'partner');
    expect((await whoami(browser)).body).toMatchObject({ username: 'carol', groups: ['contractors'] });
    const sessionId = browser.cookie(stack.origin, stack.config.cookieName)!.split('.')[0]!;
    const jwt = (await partner().getTokens('carol')).access_token;
    const minted = await fetch(`${stack.gatewayUrl}/_gateway/api/v1/tokens`, {
      method: 'POST', headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'laptop' }),
    });
    expect(minted.status).toBe(201);
    const pat = ((await minted.json()) as { token: string }).token;
    expect((await withToken(pat)).status).toBe(200);

    // A new group at the partner IdP arrives with the next refresh (through the partner, not oidc).
    partner().setUserGroups('carol', ['contractors', 'ml-readers']);
    await pastAccessTokenExpiry();
    expect((await browser.get(`${stack.gatewayUrl}${API}`, { accept: 'application/json' })).status).toBe(200);
    expect((await whoami(browser)).body).toMatchObject({ groups: ['contractors', 'ml-readers'] });

    // Removed from the partner's allowed group: the next refresh ends the session…
    partner().setUserGroups('carol', ['ml-readers']);
    await pastAccessTokenExpiry();
    const api = await browser.get(`${stack.gatewayUrl}${API}`, { accept: 'application/json' });
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ gateway_code: 'GW_SESSION_EXPIRED' });
    expect(await stack.server.gateway.store.sessions.get(sessionId)).toBeUndefined();
    // …records the groups the IdP reported, and the personal token stops working with them.
    expect((await stack.server.gateway.store.users.getByUsername('carol'))?.groups).toEqual(['ml-readers']);
    const refused = await withToken(pat);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ gateway_code: 'GW_FORBIDDEN_GROUP', message: expect.stringMatching(/contractors/) });
  });

  it('each provider\'s allowed groups apply to its own people only', async () => {
    // bob has no groups: refused by both; alice (team-a) passes at oidc but not at the partner.
    const viaOidc = await signIn(stack, 'alice', '/', new HttpBrowser(), 'oidc');
    expect((await whoami(viaOidc.browser)).status).toBe(200);
    const { result } = await signIn(stack, 'bob', '/', new HttpBrowser(), 'partner');
    expect(result.response.status).toBe(403);
  });

  it('removed-then-signs-in-again: a refused sign-in or bearer token records the groups, so the person\'s personal token stops too', async () => {
    const jwt = (await stack.idp.getTokens('alice')).access_token;
    const minted = await fetch(`${stack.gatewayUrl}/_gateway/api/v1/tokens`, {
      method: 'POST', headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ci' }),
    });
    expect(minted.status).toBe(201);
    const pat = ((await minted.json()) as { token: string }).token;
    expect((await withToken(pat)).status).toBe(200);
    stack.idp.setUserGroups('alice', ['team-z']);
    const { result } = await signIn(stack, 'alice', '/', new HttpBrowser(), 'oidc');
    expect(result.response.status).toBe(403);
    expect((await stack.server.gateway.store.users.getByUsername('alice'))?.groups).toEqual(['team-z']);
    expect((await withToken(pat)).status).toBe(403);
    stack.idp.setUserGroups('alice', ['team-a']);
  });
});
