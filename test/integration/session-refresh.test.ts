import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from '../support/http-browser.js';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// Browser sessions outlive the IdP's short access tokens because the gateway refreshes them with
// the refresh token; what the IdP says at refresh time (new groups, a revoked grant) takes effect.
const API = '/ajax-api/2.0/mlflow/experiments/search?max_results=1';
const ACCESS_TOKEN_TTL_SECONDS = 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('session refresh', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      idp: { accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS },
      env: { OIDC_ALLOWED_GROUPS: 'team-a,team-b' },
    });
  });
  afterAll(async () => stack?.stop());

  const sessionIdOf = (browser: HttpBrowser) => browser.cookie(stack.origin, stack.config.cookieName)!.split('.')[0]!;
  const whoami = async (browser: HttpBrowser) => {
    const res = await browser.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`, { accept: 'application/json' });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const pastAccessTokenExpiry = () => sleep(ACCESS_TOKEN_TTL_SECONDS * 1000 + 500);

  it('keeps a session working past the access-token expiry and picks up group changes made at the IdP', async () => {
    const { browser } = await signIn(stack, 'carol');
    expect((await whoami(browser)).body).toMatchObject({ username: 'carol', groups: ['team-a', 'team-b'] });
    const before = await stack.server.gateway.store.sessions.get(sessionIdOf(browser));

    stack.idp.setUserGroups('carol', ['team-b']);
    await pastAccessTokenExpiry();

    const api = await browser.get(`${stack.gatewayUrl}${API}`, { accept: 'application/json' });
    expect(api.status).toBe(200);
    expect((await whoami(browser)).body).toMatchObject({ username: 'carol', groups: ['team-b'] });
    expect((await stack.server.gateway.store.users.getByUsername('carol'))?.groups).toEqual(['team-b']);
    // The same session (no new sign-in), now holding tokens with a later expiry.
    const after = await stack.server.gateway.store.sessions.get(sessionIdOf(browser));
    expect(after?.id).toBe(before?.id);
    expect(after!.idpExpiresAt!.getTime()).toBeGreaterThan(before!.idpExpiresAt!.getTime());
  });

  it('removed-from-allowed-groups: a refresh that drops the user from every allowed group ends the session', async () => {
    const { browser } = await signIn(stack, 'alice');
    expect((await whoami(browser)).status).toBe(200);
    const sessionId = sessionIdOf(browser);

    stack.idp.setUserGroups('alice', []);
    await pastAccessTokenExpiry();

    const api = await browser.get(`${stack.gatewayUrl}${API}`, { accept: 'application/json' });
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ gateway_code: 'GW_SESSION_EXPIRED' });
    expect(await stack.server.gateway.store.sessions.get(sessionId)).toBeUndefined();
    stack.idp.setUserGroups('alice', ['team-a']);
  });

  it('revoked-grant: when the IdP revokes the grant, the session ends (401 for API calls, sign-in redirect for pages)', async () => {
    const { browser: apiClient } = await signIn(stack, 'alice');
    const { browser: pageClient } = await signIn(stack, 'alice');
    const sessions = [sessionIdOf(apiClient), sessionIdOf(pageClient)];
    expect((await whoami(apiClient)).status).toBe(200);
    expect((await whoami(pageClient)).status).toBe(200);

    stack.idp.revokeUser('alice');
    await pastAccessTokenExpiry();

    const api = await apiClient.get(`${stack.gatewayUrl}${API}`, { accept: 'application/json' });
    expect(api.status).toBe(401);
    expect(api.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await api.json()).toMatchObject({ gateway_code: 'GW_SESSION_EXPIRED' });

    const page = await pageClient.get(`${stack.gatewayUrl}/`);
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/_gateway/login?return_to=%2F');

    expect(await whoami(apiClient)).toMatchObject({ status: 401, body: { gateway_code: 'GW_SESSION_EXPIRED' } });
    for (const id of sessions) expect(await stack.server.gateway.store.sessions.get(id)).toBeUndefined();
    expect(stack.logs.some((l) => l.includes('"event":"session.refresh_rejected"'))).toBe(true);
  });
});
