import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from '../support/http-browser.js';
import { signIn, signOut } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// Browser sign-in driven over plain HTTP against the real IdP and the real MLflow.
describe.each([
  { mount: 'root', basePath: '' },
  { mount: 'sub-path', basePath: '/mlflow' },
])('browser sign-in, gateway mounted at $mount', ({ basePath }) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ basePath });
  });
  afterAll(async () => stack?.stop());

  it('redirects an anonymous browser to the IdP with PKCE S256, state and nonce', async () => {
    const browser = new HttpBrowser();
    const res = await browser.follow(`${stack.gatewayUrl}/#/experiments`, { stopAt: (u) => u.startsWith(stack.idp.issuer) });
    expect(res.stopped).toBe(true);
    const auth = new URL(res.url);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    expect(auth.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(auth.searchParams.get('state')).toBeTruthy();
    expect(auth.searchParams.get('nonce')).toBeTruthy();
    expect(auth.searchParams.get('redirect_uri')).toBe(`${stack.gatewayUrl}/_gateway/callback`);
  });

  it('signs in, sets a hardened session cookie and serves the MLflow UI', async () => {
    const { browser, result } = await signIn(stack, 'alice');
    expect(result.response.status).toBe(200);
    expect(result.url).toBe(`${stack.gatewayUrl}/`);
    expect(await result.response.text()).toMatch(/<div id="root"|mlflow/i);
    const cookie = browser.cookies(stack.origin).find((c) => c.name === stack.config.cookieName);
    expect(cookie).toBeDefined();
    expect(cookie!.httpOnly).toBe(true);
    expect(cookie!.sameSite?.toLowerCase()).toBe('lax');
    expect(cookie!.secure).toBe(false); // plain http on localhost only
    expect(cookie!.path).toBe(basePath || '/');
    expect(cookie!.value).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    // The same session works for the UI's ajax calls.
    const api = await browser.get(`${stack.gatewayUrl}/ajax-api/2.0/mlflow/experiments/search?max_results=5`);
    expect(api.status).toBe(200);
    // alice holds no grant: the filtered search answers MLflow's empty shape, not an error.
    expect(await api.json()).not.toHaveProperty('error_code');
    const who = await browser.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`);
    expect(await who.json()).toMatchObject({ username: 'alice', groups: ['team-a'], is_admin: false });
  });

  it('answers an anonymous API call with 401 JSON and WWW-Authenticate, never a sign-in page', async () => {
    for (const path of ['/api/2.0/mlflow/experiments/search?max_results=1', '/ajax-api/2.0/mlflow/experiments/search', '/graphql', '/get-artifact?path=x&run_uuid=y']) {
      const res = await fetch(`${stack.gatewayUrl}${path}`, { redirect: 'manual', headers: { accept: 'text/html' } });
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="mlflow"/);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(await res.json()).toMatchObject({ gateway_code: 'GW_UNAUTHENTICATED' });
    }
  });

  it('returns the browser to the page it asked for', async () => {
    const browser = new HttpBrowser();
    const { result } = await signIn(stack, 'bob', '/static-files/favicon.ico', browser);
    expect(result.url).toBe(`${stack.gatewayUrl}/static-files/favicon.ico`);
  });

  it('after the IdP refuses a sign-in, "Sign in again" still returns to the page first asked for', async () => {
    const browser = new HttpBrowser();
    const atIdp = await browser.follow(`${stack.gatewayUrl}/static-files/favicon.ico`, { stopAt: (u) => u.startsWith(stack.idp.issuer) });
    expect(atIdp.stopped).toBe(true);
    const state = new URL(atIdp.url).searchParams.get('state')!;
    const query = new URLSearchParams({ error: 'access_denied', error_description: 'the user said no', state, iss: stack.idp.issuer });
    const refused = await browser.get(`${stack.gatewayUrl}/_gateway/callback?${query}`);
    expect(refused.status).toBe(400); // GW_LOGIN_FAILED
    const page = await refused.text();
    expect(page).toContain('The identity provider refused the sign-in: access_denied');
    const href = /href="([^"]*_gateway\/login[^"]*)"/.exec(page)?.[1]?.replace(/&amp;/g, '&');
    expect(href).toBe(`${basePath}/_gateway/login?return_to=${encodeURIComponent(`${basePath}/static-files/favicon.ico`)}`);
  });

  it('signs out locally and at the IdP (RP-initiated logout)', async () => {
    const { browser } = await signIn(stack, 'alice');
    const out = await signOut(stack, browser, { stopAt: (u) => u.startsWith(stack.idp.issuer) });
    expect(out.stopped).toBe(true);
    const endSession = new URL(out.url);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${stack.gatewayUrl}/_gateway/signed-out`);
    expect(endSession.searchParams.get('id_token_hint')).toBeTruthy();
    const after = await browser.get(`${stack.gatewayUrl}/ajax-api/2.0/mlflow/experiments/search`);
    expect(after.status).toBe(401);
  });
});
