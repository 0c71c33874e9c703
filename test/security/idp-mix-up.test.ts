import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from '../support/http-browser.js';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// Attack: IdP mix-up (RFC 9207, OAuth 2.0 Security BCP §4.4). With two providers, an authorization
// response produced by IdP B (a code B issued, B's iss) is delivered to IdP A's callback or
// completed inside a sign-in the browser started with A. Two real, independent in-process IdPs
// ("oidc" and "partner"); each refusal must be GW_LOGIN_MIX_UP and sign nobody in.
describe('IdP mix-up', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ extraProviders: [{ id: 'partner', displayName: 'Partner IdP' }] });
  });
  afterAll(async () => stack?.stop());

  const loginUrl = (provider: string) => `${stack.gatewayUrl}/_gateway/login?provider=${provider}&return_to=%2F`;
  const hasSession = (b: HttpBrowser) => b.cookie(stack.origin, stack.config.cookieName) !== undefined;

  /** Signs `username` in at the provider's IdP and captures (does not follow) its redirect to our callback. */
  async function authorizationResponse(provider: string, username: string, browser = new HttpBrowser()): Promise<{ browser: HttpBrowser; callback: URL }> {
    const page = await browser.follow(loginUrl(provider));
    const res = await browser.submitForm(page.url, await page.response.text(), { username, password: `${username}-pass` }, { stopAt: (u) => u.startsWith(`${stack.gatewayUrl}/_gateway/callback`) });
    expect(res.stopped).toBe(true);
    return { browser, callback: new URL(res.url) };
  }

  async function expectMixUpRefusal(res: Response, browser: HttpBrowser, message: RegExp) {
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ gateway_code: 'GW_LOGIN_MIX_UP', message: expect.stringMatching(message) });
    expect(hasSession(browser)).toBe(false);
  }

  it('the partner IdP advertises RFC 9207 and sends iss with its own issuer (precondition)', async () => {
    const { callback } = await authorizationResponse('partner', 'bob');
    expect(callback.pathname).toBe('/_gateway/callback/partner');
    expect(callback.searchParams.get('iss')).toBe(stack.idps.partner!.issuer);
    const meta = (await (await fetch(`${stack.idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(meta.authorization_response_iss_parameter_supported).toBe(true);
  });

  it('b-response-at-a-callback: B\'s authorization response delivered to A\'s callback is refused; nothing is signed in', async () => {
    const { browser, callback } = await authorizationResponse('partner', 'carol');
    const res = await browser.get(`${stack.gatewayUrl}/_gateway/callback${callback.search}`, { accept: 'application/json' });
    await expectMixUpRefusal(res, browser, /started with the identity provider partner.*callback of oidc/);
    expect(await stack.server.gateway.store.users.getByUsername('carol')).toBeUndefined();
    // The sign-in cookie is gone too: the genuine callback cannot be completed afterwards either.
    const after = await browser.get(callback, { accept: 'application/json' });
    expect(after.status).toBe(400);
    expect(hasSession(browser)).toBe(false);
  });

  it('b-code-in-a-transaction: B\'s code with A\'s state at A\'s callback is refused by the iss response parameter', async () => {
    // The victim starts signing in with A; its state is in the authorization request to A.
    const victim = new HttpBrowser();
    const toA = await victim.follow(loginUrl('oidc'), { stopAt: (u) => u.startsWith(stack.idp.issuer) });
    const stateA = new URL(toA.url).searchParams.get('state')!;
    // The attacker obtains an authorization response of B (its own account there).
    const { callback: fromB } = await authorizationResponse('partner', 'bob');
    const forged = new URL(`${stack.gatewayUrl}/_gateway/callback`);
    forged.search = new URLSearchParams({ code: fromB.searchParams.get('code')!, state: stateA, iss: fromB.searchParams.get('iss')! }).toString();
    await expectMixUpRefusal(await victim.get(forged, { accept: 'application/json' }), victim, /names the issuer .* not oidc's/);
    expect(await stack.server.gateway.store.users.getByUsername('bob')).toBeUndefined();
  });

  it('b-code-without-iss: stripping iss does not help, since A always sends it', async () => {
    const victim = new HttpBrowser();
    const toA = await victim.follow(loginUrl('oidc'), { stopAt: (u) => u.startsWith(stack.idp.issuer) });
    const stateA = new URL(toA.url).searchParams.get('state')!;
    const { callback: fromB } = await authorizationResponse('partner', 'bob');
    const forged = new URL(`${stack.gatewayUrl}/_gateway/callback`);
    forged.search = new URLSearchParams({ code: fromB.searchParams.get('code')!, state: stateA }).toString();
    await expectMixUpRefusal(await victim.get(forged, { accept: 'application/json' }), victim, /lacks the iss parameter/);
  });

  it('a-response-at-b-callback: the other direction is refused the same way', async () => {
    const { browser, callback } = await authorizationResponse('oidc', 'alice');
    expect(callback.pathname).toBe('/_gateway/callback');
    const res = await browser.get(`${stack.gatewayUrl}/_gateway/callback/partner${callback.search}`, { accept: 'application/json' });
    await expectMixUpRefusal(res, browser, /started with the identity provider oidc/);
  });

  it('refusals are audited as failed sign-ins with the stable code', async () => {
    const events = await stack.server.gateway.store.audit.list({ limit: 50, action: 'login.failed' });
    const mixUps = events.filter((e) => e.reason?.startsWith('GW_LOGIN_MIX_UP'));
    expect(mixUps).toHaveLength(4);
    expect(mixUps.every((e) => e.decision === 'deny')).toBe(true);
  });

  it('each provider still signs in through its own callback (control)', async () => {
    const viaPartner = await signIn(stack, 'carol', '/', new HttpBrowser(), 'partner');
    expect(viaPartner.result.response.status).toBe(200);
    expect(hasSession(viaPartner.browser)).toBe(true);
    const viaA = await signIn(stack, 'alice', '/', new HttpBrowser(), 'oidc');
    expect(hasSession(viaA.browser)).toBe(true);
    const logins = await stack.server.gateway.store.audit.list({ limit: 10, action: 'login' });
    expect(logins.map((e) => e.reason).sort()).toEqual(['OIDC sign-in (oidc)', 'OIDC sign-in (partner)']);
  });
});
