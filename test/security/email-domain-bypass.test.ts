import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoUser } from '../../src/devtools/idp/index.js';
import { HttpBrowser } from '../support/http-browser.js';
import { startStack, type Stack } from '../support/stack.js';

// Attack: get past an email-domain restriction with an address the IdP lets a user choose, such as
// `eve@evil.com@example.com` — oauth2-proxy took the text after the last '@' as the domain
// (GHSA-c5c4-8r6x-56w3) — a quoted local part hiding an '@', or an address the IdP never verified.
// The gateway must refuse them in the browser and as bearer tokens, and admit a plain verified address.
const USERS: DemoUser[] = [
  { username: 'alice', password: 'alice-pass', email: 'alice@example.com', name: 'Alice', groups: [] },
  { username: 'eve', password: 'eve-pass', email: 'eve@evil.com@example.com', name: 'Eve', groups: [] },
  { username: 'mallory', password: 'mallory-pass', email: '"mallory@evil.com"@example.com', name: 'Mallory', groups: [] },
  { username: 'trent', password: 'trent-pass', email: 'trent@evil.com(@example.com)', name: 'Trent', groups: [] },
  { username: 'dave', password: 'dave-pass', email: 'dave@example.com', emailVerified: false, name: 'Dave', groups: [] },
  { username: 'root', password: 'root-pass', email: 'root@evil.com', name: 'Root', groups: ['mlflow-admins'] },
];
const API = '/api/2.0/mlflow/experiments/search?max_results=1';

describe('email-domain bypass', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { OIDC_ALLOWED_EMAIL_DOMAINS: 'example.com' }, idp: { users: USERS } });
  });
  afterAll(async () => stack?.stop());

  async function browserSignIn(username: string) {
    const user = USERS.find((u) => u.username === username)!;
    const browser = new HttpBrowser();
    const login = await browser.follow(`${stack.gatewayUrl}/`);
    expect(login.url.startsWith(stack.idp.issuer)).toBe(true);
    const result = await browser.submitForm(login.url, await login.response.text(), { username: user.username, password: user.password });
    return { result, hasSession: browser.cookie(stack.origin, stack.config.cookieName) !== undefined };
  }

  it.each([
    ['several @ (eve@evil.com@example.com)', 'eve', /not a plain address/],
    ['quoted local part ("mallory@evil.com"@example.com)', 'mallory', /not a plain address/],
    ['comment hiding the domain (trent@evil.com(@example.com))', 'trent', /not a plain address/],
    ['unverified address at the right domain', 'dave', /not verified/],
    ['administrator at another domain', 'root', /evil\.com is not one of them/],
  ])('browser sign-in with %s is refused with GW_FORBIDDEN_DOMAIN and no session', async (_what, username, message) => {
    const { result, hasSession } = await browserSignIn(username);
    expect(result.response.status).toBe(403);
    const page = await result.response.text();
    expect(page).toContain('GW_FORBIDDEN_DOMAIN');
    expect(page).toMatch(message);
    expect(hasSession).toBe(false);
    expect(await stack.server.gateway.store.users.getByUsername(username)).toBeUndefined();
  });

  it.each(['eve', 'mallory', 'trent', 'dave', 'root'])('a valid IdP token of %s is refused as bearer too', async (username) => {
    const { access_token, id_token } = await stack.idp.getTokens(username);
    for (const token of [access_token, id_token]) {
      const res = await fetch(`${stack.gatewayUrl}${API}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ gateway_code: 'GW_FORBIDDEN_DOMAIN' });
    }
  });

  it('a verified plain address at the allowed domain passes (control)', async () => {
    const { result, hasSession } = await browserSignIn('alice');
    expect(result.response.status).toBe(200);
    expect(hasSession).toBe(true);
    const res = await fetch(`${stack.gatewayUrl}${API}`, { headers: { authorization: `Bearer ${(await stack.idp.getTokens('alice')).access_token}` } });
    expect(res.status).toBe(200);
  });
});
