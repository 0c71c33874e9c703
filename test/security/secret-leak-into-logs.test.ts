import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSealer } from '../../src/session/seal.js';
import { HttpBrowser } from '../support/http-browser.js';
import { signOut } from '../support/sign-in.js';
import { CLIENT_SECRET, TEST_SECRET, startStack, type Stack } from '../support/stack.js';

// Attack: read credentials out of the gateway's logs (log shipping, support bundles, a shared
// dashboard). A full flow runs at debug level; no credential it handled may appear in any log line.
describe('secret-leak-into-logs', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Short IdP access tokens: every session request refreshes, so refresh tokens rotate through the gateway too.
    stack = await startStack({ idp: { accessTokenTtlSeconds: 1 } });
  });
  afterAll(async () => stack?.stop());

  it('no cookie, code, token, client secret or GATEWAY_SECRET reaches the logs over sign-in, API calls, bearer calls, refusals and sign-out', async () => {
    const secrets = new Map<string, string>([['client secret', CLIENT_SECRET], ['GATEWAY_SECRET', TEST_SECRET]]);
    const remember = (what: string, value: string | undefined) => {
      if (!value) throw new Error(`expected a ${what}`);
      secrets.set(`${what} #${secrets.size}`, value);
      // A JWT's signature alone is enough to tell it was logged (and is the part that must stay secret).
      const signature = value.split('.')[2];
      if (signature) secrets.set(`${what} signature #${secrets.size}`, signature);
    };
    const tokenSealer = createSealer(TEST_SECRET, 'idp-tokens');
    const cookieName = stack.config.cookieName;
    const browser = new HttpBrowser();
    const rememberSessionTokens = async () => {
      const sessionId = browser.cookie(stack.origin, cookieName)!.split('.')[0]!;
      const sealed = (await stack.server.gateway.store.sessions.get(sessionId))?.tokensSealed;
      const tokens = tokenSealer.open<{ refreshToken?: string; idToken?: string }>(sealed ?? '');
      remember('session refresh token', tokens?.refreshToken);
      remember('session ID token', tokens?.idToken);
    };

    // Browser sign-in, stopping at the callback to capture the authorization code.
    const loginPage = await browser.follow(`${stack.gatewayUrl}/`);
    // One sign-in cookie per attempt (`<name>_<digest of state>_login`).
    remember('sign-in cookie', browser.cookies(stack.origin).find((c) => c.name.startsWith(`${cookieName}_`) && c.name.endsWith('_login'))?.value);
    const toCallback = await browser.submitForm(loginPage.url, await loginPage.response.text(), { username: 'alice', password: 'alice-pass' }, {
      stopAt: (u) => u.startsWith(`${stack.gatewayUrl}/_gateway/callback`),
    });
    expect(toCallback.stopped).toBe(true);
    remember('authorization code', new URL(toCallback.url).searchParams.get('code') ?? undefined);
    const landed = await browser.follow(toCallback.url);
    expect(landed.response.status).toBe(200);
    const sessionCookie = browser.cookie(stack.origin, cookieName);
    remember('session cookie', sessionCookie);
    remember('session cookie secret', sessionCookie?.split('.')[1]);
    await rememberSessionTokens();

    // API calls riding on the session (each one refreshes the IdP tokens).
    for (const path of ['/ajax-api/2.0/mlflow/experiments/search?max_results=1', '/_gateway/api/v1/whoami']) {
      expect((await browser.get(`${stack.gatewayUrl}${path}`, { accept: 'application/json' })).status).toBe(200);
      await rememberSessionTokens();
    }

    // Bearer calls with real IdP tokens: an access token and an ID token.
    const issued = await stack.idp.getTokens('carol', { scope: 'openid profile email groups offline_access' });
    remember('bearer access token', issued.access_token);
    remember('bearer ID token', issued.id_token);
    remember('bearer refresh token', issued.refresh_token);
    for (const token of [issued.access_token, issued.id_token]) {
      const res = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
    }

    // Refused credentials: a tampered token, a refresh token presented as a bearer, Basic credentials.
    const [h, p, s] = issued.access_token.split('.');
    const tampered = `${h}.${p}x.${s}`;
    const basic = Buffer.from('alice:alice-pass').toString('base64');
    remember('Basic credential', basic);
    for (const authorization of [`Bearer ${tampered}`, `Bearer ${issued.refresh_token}`, `Basic ${basic}`]) {
      const res = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization } });
      expect(res.status).toBe(401);
    }

    // Sign-out (the redirect to the IdP carries the ID token as id_token_hint).
    const out = await signOut(stack, browser, { stopAt: (u) => u.startsWith(stack.idp.issuer) });
    expect(out.stopped).toBe(true);
    expect(new URL(out.url).searchParams.get('id_token_hint')).toBeTruthy();

    // The logs are there and describe the flow (so the search below is not vacuous)…
    const logs = stack.logs.join('\n');
    expect(logs).toContain('"event":"login"');
    expect(logs).toContain('"auth":"jwt"');
    expect(logs).toContain('"code":"GW_INVALID_TOKEN"');
    // …and hold none of the credentials.
    const leaked = [...secrets].filter(([, value]) => logs.includes(value)).map(([what]) => what);
    expect(leaked).toEqual([]);
  });
});
