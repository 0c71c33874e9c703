import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, launchChromium, signInInChromium, startSiteOnAnotherPort } from '../support/chromium.js';
import type { HttpBrowser } from '../support/http-browser.js';
import { signIn, signOut } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// Sign-out by a cross-site request: an <img src=".../_gateway/logout"> on any same-site page used
// to end the session (GET signed out). Sign-out is now a POST with the CSRF check; a GET only
// shows a page with a sign-out button. RP-initiated logout at the IdP still follows the POST.
describe('logout CSRF', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  const signedIn = async (b: HttpBrowser) => (await b.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`, { accept: 'application/json' })).status === 200;

  it('cross-site-get-logout: a GET (as an <img> sends it) shows a page and ends nothing', async () => {
    const { browser } = await signIn(stack, 'alice');
    const res = await browser.get(`${stack.gatewayUrl}/_gateway/logout`, { 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'image', 'sec-fetch-mode': 'no-cors' });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual([]);
    const html = await res.text();
    expect(html).toMatch(/<form method="post" action="\/_gateway\/logout">/);
    expect(html).toContain('alice');
    expect(html).not.toMatch(/<script/i);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/form-action 'self'/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(await signedIn(browser)).toBe(true);
  });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site (a sibling subdomain or another port)', { 'sec-fetch-site': 'same-site' }],
    ['a foreign Origin', { origin: 'https://evil.example' }],
  ])('cross-site-post-logout: a POST with %s is refused (403 GW_CSRF) and the session lives on', async (_what, headers) => {
    const { browser } = await signIn(stack, 'alice');
    const res = await browser.postForm(`${stack.gatewayUrl}/_gateway/logout`, {}, { accept: 'application/json', ...headers });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { gateway_code: string }).gateway_code).toBe('GW_CSRF');
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await signedIn(browser)).toBe(true);
  });

  it('same-origin-post-logout: the button signs out locally and at the IdP (RP-initiated logout with id_token_hint)', async () => {
    const { browser } = await signIn(stack, 'alice');
    const out = await signOut(stack, browser, { stopAt: (u) => u.startsWith(stack.idp.issuer), headers: { origin: stack.origin, 'sec-fetch-site': 'same-origin' } });
    expect(out.stopped).toBe(true);
    const endSession = new URL(out.url);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${stack.gatewayUrl}/_gateway/signed-out`);
    expect(endSession.searchParams.get('id_token_hint')).toBeTruthy();
    expect(await signedIn(browser)).toBe(false);
  });
});

describe.runIf(existsSync(CHROMIUM))('logout CSRF in Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let attackerSite: Awaited<ReturnType<typeof startSiteOnAnotherPort>>;

  beforeAll(async () => {
    stack = await startStack();
    // Same site as the gateway (127.0.0.1, another port): SameSite=Lax cookies ARE sent here.
    attackerSite = await startSiteOnAnotherPort((req, res) => {
      res.setHeader('content-type', 'text/html');
      if (req.url === '/img') res.end(`<!doctype html><img src="${stack.gatewayUrl}/_gateway/logout" onerror="document.title='loaded'" onload="document.title='loaded'">`);
      else res.end(`<!doctype html><form id="f" method="post" action="${stack.gatewayUrl}/_gateway/logout"></form><script>document.getElementById('f').submit()</script>`);
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await attackerSite?.close();
    await stack?.stop();
  });

  it("img-and-form-logout: neither an <img> nor an auto-submitted form on another port's page signs the victim out; the real button does", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.gatewayUrl}/_gateway/logout`); // not signed in: the page just says so
    await signInInChromium(page, stack, 'alice');
    const whoami = async () => (await context.request.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`, { headers: { accept: 'application/json' } })).status();
    expect(await whoami()).toBe(200);

    await page.goto(`${attackerSite.url}/img`);
    await page.waitForFunction('document.title === "loaded"');
    expect(await whoami()).toBe(200);

    const refused = page.waitForResponse((r) => r.url() === `${stack.gatewayUrl}/_gateway/logout` && r.request().method() === 'POST');
    await page.goto(`${attackerSite.url}/form`);
    expect((await refused).status()).toBe(403);
    expect(await whoami()).toBe(200);

    await page.goto(`${stack.gatewayUrl}/_gateway/logout`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => !u.href.startsWith(`${stack.gatewayUrl}/_gateway/logout`), { timeout: 30_000 });
    expect(await whoami()).toBe(401);
    await context.close();
  });
});
