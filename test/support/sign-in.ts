import { DEMO_USERS } from '../../src/devtools/idp/index.js';
import { HttpBrowser, type FollowResult } from './http-browser.js';
import type { Stack } from './stack.js';

/**
 * Signs `username` in through the gateway the way a browser does: open a gateway page, get sent
 * to the IdP, submit its real login form, follow the redirects back through the callback.
 */
export async function signIn(stack: Stack, username: string, path = '/', browser = new HttpBrowser()): Promise<{ browser: HttpBrowser; result: FollowResult }> {
  const user = DEMO_USERS.find((u) => u.username === username);
  if (!user) throw new Error(`no demo user ${username}`);
  const loginPage = await browser.follow(`${stack.gatewayUrl}${path}`);
  if (!loginPage.url.startsWith(stack.idp.issuer)) throw new Error(`expected the IdP login page, got ${loginPage.url} (${loginPage.response.status})`);
  const html = await loginPage.response.text();
  const result = await browser.submitForm(loginPage.url, html, { username: user.username, password: user.password });
  return { browser, result };
}

/** Calls the gateway with a bearer token. */
export function bearer(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${token}`, ...extra };
}
