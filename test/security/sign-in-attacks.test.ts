import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from '../support/http-browser.js';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// Attacks on the browser sign-in: each must fail without creating a session.
describe('sign-in attacks', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  /** Runs the flow up to the IdP's redirect back to the callback, which is captured, not followed. */
  async function callbackUrlFor(username: string, browser = new HttpBrowser()): Promise<{ browser: HttpBrowser; callback: URL }> {
    const page = await browser.follow(`${stack.gatewayUrl}/`);
    const html = await page.response.text();
    const res = await browser.submitForm(page.url, html, { username, password: `${username}-pass` }, { stopAt: (u) => u.startsWith(`${stack.gatewayUrl}/_gateway/callback`) });
    expect(res.stopped).toBe(true);
    return { browser, callback: new URL(res.url) };
  }
  const hasSession = (b: HttpBrowser) => b.cookie(stack.origin, stack.config.cookieName) !== undefined;

  it('state-mismatch: refuses a callback whose state was not issued to this browser', async () => {
    const { browser, callback } = await callbackUrlFor('alice');
    callback.searchParams.set('state', 'forged-state');
    const res = await browser.get(callback, { accept: 'application/json' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ gateway_code: 'GW_LOGIN_FAILED', message: expect.stringMatching(/state/) });
    expect(hasSession(browser)).toBe(false);
  });

  it('stolen-code-without-pkce-verifier: a code presented by another browser (no verifier) is refused', async () => {
    const { callback } = await callbackUrlFor('alice');
    const attacker = new HttpBrowser();
    const res = await attacker.get(callback, { accept: 'application/json' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ gateway_code: 'GW_LOGIN_FAILED' });
    expect(hasSession(attacker)).toBe(false);
  });

  it('stolen-code-at-token-endpoint: the IdP refuses our client\'s code without the PKCE verifier', async () => {
    const { callback } = await callbackUrlFor('alice');
    const meta = (await (await fetch(`${stack.idp.issuer}/.well-known/openid-configuration`)).json()) as { token_endpoint: string };
    const res = await fetch(meta.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('mlflow-gateway:test-client-secret-0123456789').toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: `${stack.gatewayUrl}/_gateway/callback` }),
    });
    expect(res.status).toBe(400);
  });

  it('replayed-code: a callback URL that already signed in cannot sign in again', async () => {
    const { browser, callback } = await callbackUrlFor('alice');
    const first = await browser.get(callback);
    expect(first.status).toBe(302);
    const sealed = browser.cookies(stack.origin); // includes the (now cleared) sign-in cookie
    expect(sealed.some((c) => c.name.endsWith('_login'))).toBe(false);
    const replay = await new HttpBrowser().get(callback, { accept: 'application/json' });
    expect(replay.status).toBe(400);
  });

  it('replayed-code-with-captured-login-cookie: the IdP refuses the second redemption', async () => {
    const browser = new HttpBrowser();
    const page = await browser.follow(`${stack.gatewayUrl}/`);
    const loginCookie = browser.cookies(stack.origin).find((c) => c.name.endsWith('_login'))!;
    const res = await browser.submitForm(page.url, await page.response.text(), { username: 'alice', password: 'alice-pass' }, { stopAt: (u) => u.includes('/_gateway/callback') });
    const callback = res.url;
    expect((await browser.get(callback)).status).toBe(302);
    const attacker = new HttpBrowser();
    attacker.setCookie(stack.origin, `${loginCookie.name}=${loginCookie.value}; Path=/_gateway/callback`);
    const replay = await attacker.get(callback, { accept: 'application/json' });
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ gateway_code: 'GW_LOGIN_FAILED' });
  });

  it.each([
    'https://evil.example.com/',
    '//evil.example.com/x',
    '/\\evil.example.com',
    'javascript:alert(1)',
    '/%2F%2Fevil.example.com',
    'http://127.0.0.1:1/elsewhere',
  ])('open-redirect: return_to=%s lands on the gateway, not elsewhere', async (target) => {
    const browser = new HttpBrowser();
    const page = await browser.follow(`${stack.gatewayUrl}/_gateway/login?return_to=${encodeURIComponent(target)}`);
    const res = await browser.submitForm(page.url, await page.response.text(), { username: 'bob', password: 'bob-pass' }, { stopAt: (u) => !u.startsWith(stack.gatewayUrl) && !u.startsWith(stack.idp.issuer) });
    expect(res.stopped).toBe(false);
    expect(res.url.startsWith(`${stack.gatewayUrl}/`)).toBe(true);
  });

  it('session-fixation: a session cookie planted before sign-in is replaced and stops working', async () => {
    const { browser: attacker } = await signIn(stack, 'bob');
    const planted = attacker.cookie(stack.origin, stack.config.cookieName)!;
    const victim = new HttpBrowser();
    victim.setCookie(stack.origin, `${stack.config.cookieName}=${planted}; Path=/`);
    await signIn(stack, 'alice', '/_gateway/login?return_to=%2F', victim);
    const now = victim.cookie(stack.origin, stack.config.cookieName)!;
    expect(now).not.toBe(planted);
    const who = await victim.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`);
    expect(await who.json()).toMatchObject({ username: 'alice' });
    const stale = await attacker.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`);
    expect(stale.status).toBe(401);
  });

  it('forged-session-cookie: a well-formed but unknown session token is anonymous', async () => {
    const res = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search`, { headers: { cookie: `${stack.config.cookieName}=${'A'.repeat(22)}.${'B'.repeat(43)}` } });
    expect(res.status).toBe(401);
  });
});
