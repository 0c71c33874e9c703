import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from '../support/http-browser.js';
import { signIn, signOut } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// Two real providers behind one gateway mounted under /mlflow: the sign-in page, per-provider
// callbacks, return_to kept through the choice, sign-out at the provider that signed the session in.
describe('sign-in with several providers', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ basePath: '/mlflow', extraProviders: [{ id: 'partner', displayName: 'Partner <IdP>' }] });
  });
  afterAll(async () => stack?.stop());

  it('sends an anonymous browser to a page listing every provider, each link keeping return_to', async () => {
    const browser = new HttpBrowser();
    const page = await browser.follow(`${stack.gatewayUrl}/?o=1`);
    expect(page.response.status).toBe(200);
    expect(page.url.startsWith(`${stack.gatewayUrl}/_gateway/login?return_to=`)).toBe(true);
    expect(page.response.headers.get('cache-control')).toBe('no-store');
    expect(page.response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.response.headers.get('x-frame-options')).toBe('DENY');
    const html = await page.response.text();
    expect(html).toContain('Sign in to MLflow');
    const links = [...html.matchAll(/href="([^"]+)" data-provider="([^"]+)"/g)].map((m) => [m[2], m[1]!.replace(/&amp;/g, '&')]);
    expect(links.map(([id]) => id)).toEqual(['oidc', 'partner']);
    expect(html).toContain('Partner &lt;IdP&gt;'); // display names are escaped
    expect(html).toContain('Single sign-on');
    for (const [id, href] of links) {
      const url = new URL(href!, stack.origin);
      expect(url.pathname).toBe('/mlflow/_gateway/login');
      expect(url.searchParams.get('provider')).toBe(id);
      expect(url.searchParams.get('return_to')).toBe('/mlflow/?o=1');
    }
  });

  it('signs in with the second provider through /_gateway/callback/<id> and lands on return_to', async () => {
    const { browser, result } = await signIn(stack, 'carol', '/experiments', new HttpBrowser(), 'partner');
    expect(result.url).toBe(`${stack.gatewayUrl}/experiments`);
    expect(browser.cookie(stack.origin, stack.config.cookieName)).toBeDefined();
    const who = await browser.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`);
    expect(await who.json()).toMatchObject({ username: 'carol', groups: ['team-a', 'team-b'] });
    const user = await stack.server.gateway.store.users.getByUsername('carol');
    expect(user?.subjectKey).toBe(`${stack.idps.partner!.issuer}#${user!.subjectKey.split('#')[1]}`);
    // Sign-out goes to the provider that signed the session in.
    const out = await signOut(stack, browser, { stopAt: (u) => u.startsWith(stack.idps.partner!.issuer) });
    expect(out.stopped).toBe(true);
  });

  it('the first provider keeps the classic /_gateway/callback', async () => {
    const browser = new HttpBrowser();
    const toIdp = await browser.follow(`${stack.gatewayUrl}/_gateway/login?provider=oidc`, { stopAt: (u) => u.startsWith(stack.idp.issuer) });
    expect(new URL(toIdp.url).searchParams.get('redirect_uri')).toBe(`${stack.gatewayUrl}/_gateway/callback`);
    const toPartner = await browser.follow(`${stack.gatewayUrl}/_gateway/login?provider=partner`, { stopAt: (u) => u.startsWith(stack.idps.partner!.issuer) });
    expect(new URL(toPartner.url).searchParams.get('redirect_uri')).toBe(`${stack.gatewayUrl}/_gateway/callback/partner`);
  });

  it('refuses an unknown provider id with a clear message', async () => {
    const res = await fetch(`${stack.gatewayUrl}/_gateway/login?provider=nope`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ gateway_code: 'GW_LOGIN_FAILED', message: expect.stringMatching(/no identity provider "nope"/) });
  });

  it('readyz checks every provider by name', async () => {
    const body = (await (await fetch(`${stack.gatewayUrl}/_gateway/readyz`)).json()) as { checks: Array<{ name: string; ok: boolean }> };
    expect(body.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['idp:oidc', 'idp:partner']));
  });
});
