import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintSessionToken } from '../../src/session/token.js';
import { HttpBrowser } from '../support/http-browser.js';
import { idpSessionOf, postLogoutToken, signLogoutToken } from '../support/logout-token.js';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// OpenID Connect Back-Channel Logout 1.0 with a real OP (oidc-provider's backchannelLogout
// feature): signing out at the IdP ends the gateway session of that IdP session, not others.
describe('OIDC back-channel logout (oidc-provider)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ backchannelLogout: true });
  });
  afterAll(async () => stack?.stop());

  const whoami = (b: HttpBrowser) => b.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`, { accept: 'application/json' });

  it('advertises the feature and records the IdP sid and sub on the session at sign-in', async () => {
    const meta = (await (await fetch(`${stack.idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({ backchannel_logout_supported: true, backchannel_logout_session_supported: true });
    await signIn(stack, 'alice');
    const { sub, sid } = await idpSessionOf(stack, 'alice');
    expect(sub).toBe('user-alice');
    expect(sid.length).toBeGreaterThan(10);
  });

  it('signing out at the IdP ends that gateway session at once and leaves the person\'s other IdP sessions alone', async () => {
    const { browser: laptop } = await signIn(stack, 'alice');
    const { browser: desktop } = await signIn(stack, 'alice'); // another browser: another IdP session (sid)
    expect((await whoami(laptop)).status).toBe(200);
    expect((await whoami(desktop)).status).toBe(200);

    // RP-independent logout at the IdP: its end_session page, confirmed by the person.
    const page = await laptop.follow(`${stack.idp.issuer}/session/end`);
    const done = await laptop.submitForm(page.url, await page.response.text());
    expect(done.response.status).toBe(200);

    const ended = await whoami(laptop);
    expect(ended.status).toBe(401);
    expect(await ended.json()).toMatchObject({ gateway_code: 'GW_SESSION_EXPIRED' });
    expect((await whoami(desktop)).status).toBe(200);
    const audit = await stack.server.gateway.store.audit.list({ limit: 20, action: 'logout.backchannel' });
    expect(audit[0]).toMatchObject({ actor: 'alice', decision: 'info', reason: expect.stringMatching(/oidc ended the IdP session: 1 gateway session/) });
  });

  it('a logout token naming only the subject ends every session of that person from this IdP', async () => {
    const { browser: a } = await signIn(stack, 'bob');
    const { browser: b } = await signIn(stack, 'bob');
    const { browser: other } = await signIn(stack, 'carol');
    const res = await postLogoutToken(stack, await signLogoutToken(stack.idp, { sub: 'user-bob' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await whoami(a)).status).toBe(401);
    expect((await whoami(b)).status).toBe(401);
    expect((await whoami(other)).status).toBe(200);
  });

  it('answers 200 for a valid token that matches no session (the IdP learns nothing about who had one)', async () => {
    const res = await postLogoutToken(stack, await signLogoutToken(stack.idp, { sub: 'nobody-here' }));
    expect(res.status).toBe(200);
  });

  it('RP-initiated logout ends the gateway session and sends the IdP the id_token_hint', async () => {
    const { browser } = await signIn(stack, 'alice');
    const out = await browser.request(`${stack.gatewayUrl}/_gateway/logout`, { method: 'POST' });
    expect(out.status).toBe(302);
    const location = new URL(out.headers.get('location')!);
    expect(location.origin).toBe(stack.idp.issuer);
    expect(location.searchParams.get('id_token_hint')).toBeTruthy();
    expect((await whoami(browser)).status).toBe(401);
  });

  it('RP-initiated logout honours sid: another gateway session of the same IdP session ends with it', async () => {
    const { browser: first } = await signIn(stack, 'carol');
    const store = stack.server.gateway.store;
    const carol = await store.users.getByUsername('carol');
    const [signedIn] = await store.sessions.listForUser(carol!.id);
    // A second gateway session from the same IdP session (as single sign-on from another browser
    // profile makes one): same sid, its own cookie.
    const minted = mintSessionToken();
    await store.sessions.create({
      id: minted.id, secretHash: minted.secretHash, userId: carol!.id, expiresAt: new Date(Date.now() + 3_600_000), tokensSealed: null, idpExpiresAt: null,
      ip: null, userAgent: null, idpSubject: signedIn!.idpSubject, idpSid: signedIn!.idpSid,
    }, new Date());
    const second = new HttpBrowser();
    second.setCookie(stack.gatewayUrl, `${stack.config.cookieName}=${minted.token}; Path=/`);
    expect((await whoami(second)).status).toBe(200);
    expect((await first.request(`${stack.gatewayUrl}/_gateway/logout`, { method: 'POST' })).status).toBe(302);
    expect((await whoami(second)).status).toBe(401);
  });
});
