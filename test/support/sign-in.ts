import { DEMO_USERS } from '../../src/devtools/idp/index.js';
import { HttpBrowser, type FollowOptions, type FollowResult } from './http-browser.js';
import type { Stack } from './stack.js';

/**
 * Signs `username` in through the gateway the way a browser does: open a gateway page, get sent
 * to the IdP, submit its real login form, follow the redirects back through the callback.
 */
export async function signIn(stack: Stack, username: string, path = '/', browser = new HttpBrowser(), provider?: string): Promise<{ browser: HttpBrowser; result: FollowResult }> {
  const user = DEMO_USERS.find((u) => u.username === username);
  if (!user) throw new Error(`no demo user ${username}`);
  // With several providers, a page asks which one: go straight to the chosen provider's sign-in.
  const start = provider === undefined ? `${stack.gatewayUrl}${path}` : `${stack.gatewayUrl}/_gateway/login?${new URLSearchParams({ provider, return_to: `${new URL(stack.gatewayUrl).pathname.replace(/\/$/, '')}${path}` })}`;
  const loginPage = await browser.follow(start);
  const issuer = provider === undefined || !(provider in stack.idps) ? stack.idp.issuer : stack.idps[provider]!.issuer;
  if (!loginPage.url.startsWith(issuer)) throw new Error(`expected the IdP login page, got ${loginPage.url} (${loginPage.response.status})`);
  const html = await loginPage.response.text();
  const result = await browser.submitForm(loginPage.url, html, { username: user.username, password: user.password });
  return { browser, result };
}

/** Calls the gateway with a bearer token. */
export function bearer(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${token}`, ...extra };
}

/**
 * Signs out the way a browser does: GET /_gateway/logout shows a page whose button POSTs the
 * sign-out form (a GET alone ends nothing); the form is submitted and redirects followed.
 */
export async function signOut(stack: Stack, browser: HttpBrowser, options: FollowOptions = {}): Promise<FollowResult> {
  const page = await browser.get(`${stack.gatewayUrl}/_gateway/logout`);
  if (page.status !== 200) throw new Error(`expected the sign-out page, got ${page.status}`);
  return browser.submitForm(`${stack.gatewayUrl}/_gateway/logout`, await page.text(), {}, options);
}
