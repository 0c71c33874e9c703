import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpBrowser } from '../support/http-browser.js';
import { idpSessionOf, postLogoutToken, signLogoutToken } from '../support/logout-token.js';
import { signIn } from '../support/sign-in.js';
import { CLIENT_SECRET, startStack, type Stack } from '../support/stack.js';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/oidc/backchannel-logout.js';

// Forged, replayed and look-alike logout tokens: each is refused (400, invalid_request) and the
// session it names keeps working. One valid token at the end proves the same session can be ended.
describe('back-channel logout token forgery', () => {
  let stack: Stack;
  let browser: HttpBrowser;
  let sid: string;
  let sub: string;
  beforeAll(async () => {
    stack = await startStack({ backchannelLogout: true });
    ({ browser } = await signIn(stack, 'alice'));
    ({ sid, sub } = await idpSessionOf(stack, 'alice'));
  });
  afterAll(async () => stack?.stop());

  const alive = async () => (await browser.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`, { accept: 'application/json' })).status === 200;

  async function expectRefused(token: string, why: RegExp) {
    const res = await postLogoutToken(stack, token);
    expect(res.status).toBe(400);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toMatchObject({ error: 'invalid_request', gateway_code: 'GW_LOGOUT_TOKEN_INVALID', error_description: expect.stringMatching(why) });
    expect(await alive()).toBe(true);
  }

  it('id-token-as-logout-token: a token with a nonce is refused', async () => {
    await expectRefused(await signLogoutToken(stack.idp, { sid, nonce: 'n-0S6_WzA2Mj' }), /nonce/);
  });

  it('wrong-audience: a logout token for another client is refused', async () => {
    await expectRefused(await signLogoutToken(stack.idp, { sid, aud: 'another-client' }), /audience/);
  });

  it('missing-events: a signed JWT without the back-channel logout event is refused', async () => {
    await expectRefused(await signLogoutToken(stack.idp, { sid }, { omit: ['events'] }), /events/);
    await expectRefused(await signLogoutToken(stack.idp, { sid, events: { 'http://schemas.openid.net/event/other': {} } }), /events/);
    await expectRefused(await signLogoutToken(stack.idp, { sid, events: { [BACKCHANNEL_LOGOUT_EVENT]: 'yes' } }), /events/);
  });

  it('other-issuer: a token naming another issuer (signed with the right key) is refused', async () => {
    await expectRefused(await signLogoutToken(stack.idp, { sid, iss: 'https://evil.example' }), /issuer/);
  });

  it('attacker-key: a token signed with a key the IdP never published is refused', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = stack.idp.privateJwks()[0]!.kid; // claims to be the IdP's key
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ iss: stack.idp.issuer, aud: 'mlflow-gateway', iat: now, jti: 'forged-1', sid, events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } })
      .setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey);
    await expectRefused(forged, /signature/);
  });

  it('hmac-with-client-secret: a token MACed with the (shared) client secret is refused (asymmetric algorithms only)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ iss: stack.idp.issuer, aud: 'mlflow-gateway', iat: now, jti: 'forged-2', sid, events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } })
      .setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(CLIENT_SECRET));
    await expectRefused(forged, /algorithm/);
  });

  it('stale-token: a logout token issued long ago is refused', async () => {
    const old = Math.floor(Date.now() / 1000) - 3600;
    await expectRefused(await signLogoutToken(stack.idp, { sid, iat: old, exp: old + 7200 }), /too old/);
  });

  it('no-subject: a token naming neither sub nor sid is refused, as is one without jti', async () => {
    await expectRefused(await signLogoutToken(stack.idp, {}), /neither/);
    await expectRefused(await signLogoutToken(stack.idp, { sid }, { omit: ['jti'] }), /jti/);
  });

  it('not-form-encoded: a JSON body or two logout tokens are refused', async () => {
    const token = await signLogoutToken(stack.idp, { sid });
    const json = await fetch(`${stack.gatewayUrl}/_gateway/backchannel-logout/oidc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ logout_token: token }) });
    expect(json.status).toBe(400);
    const two = await fetch(`${stack.gatewayUrl}/_gateway/backchannel-logout/oidc`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams([['logout_token', token], ['logout_token', token]]),
    });
    expect(two.status).toBe(400);
    expect(await alive()).toBe(true);
  });

  it('replayed-jti: the same logout token is accepted once; its replay is refused (store-backed, every replica)', async () => {
    // A jti already used (for a subject with no session here) cannot be used again for this session.
    const token = await signLogoutToken(stack.idp, { sid, sub });
    const used = await signLogoutToken(stack.idp, { sub: 'user-nobody', jti: 'replayed-jti-1' });
    expect((await postLogoutToken(stack, used)).status).toBe(200);
    await expectRefused(await signLogoutToken(stack.idp, { sid, jti: 'replayed-jti-1' }), /used before/);
    expect((await postLogoutToken(stack, token)).status).toBe(200);
    expect(await alive()).toBe(false);
    const replay = await postLogoutToken(stack, token);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error_description: expect.stringMatching(/used before/) });
  });
});
