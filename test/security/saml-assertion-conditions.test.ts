import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from '../support/http-browser.js';
import { samlId, type AssertionOptions } from '../support/saml-idp.js';
import { postSamlResponse, samlSignIn, startSamlSignIn, startSamlStack, whoami, type SamlStack } from '../support/saml-stack.js';

// Genuinely signed assertions that are not for this sign-in: the wrong audience, recipient,
// destination, issuer, time or request, replays and unsolicited ones. Each is refused with
// GW_SAML_INVALID and signs nobody in; controls show the same shapes pass when they are right.
describe('SAML assertion conditions', () => {
  let s: SamlStack;
  beforeAll(async () => {
    s = await startSamlStack();
  });
  afterAll(async () => s?.stop());

  async function expectRefused(opts: AssertionOptions, why: RegExp) {
    const { browser, res } = await samlSignIn(s, { nameID: 'alice', ...opts });
    const body = await res.text();
    expect(res.status, body).toBe(400);
    expect(JSON.parse(body)).toMatchObject({ gateway_code: 'GW_SAML_INVALID', message: expect.stringMatching(why) });
    expect((await whoami(s, browser)).status).toBe(401);
  }

  const minutes = (n: number) => new Date(Date.now() + n * 60_000);

  it('wrong-audience: an assertion whose AudienceRestriction names another SP is refused', async () => {
    await expectRefused({ audience: 'https://other-sp.example/metadata' }, /audience/i);
  });

  it('assertion-for-another-sp: audience, recipient and destination of another SP are refused', async () => {
    await expectRefused({ audience: 'https://other-sp.example/metadata', recipient: 'https://other-sp.example/acs', destination: 'https://other-sp.example/acs' }, /audience|recipient|destination|for https/i);
  });

  it('wrong-recipient: a SubjectConfirmationData Recipient of another endpoint is refused, as is a missing one', async () => {
    await expectRefused({ recipient: 'https://other-sp.example/acs' }, /recipient/i);
    await expectRefused({ recipient: null }, /Recipient/);
  });

  it('wrong-destination: a response whose Destination is another endpoint is refused', async () => {
    await expectRefused({ destination: `${s.stack.gatewayUrl}/_gateway/saml/other/acs` }, /assertion consumer service/);
  });

  it('wrong-issuer: an assertion naming another IdP (signed with this IdP\'s key) is refused', async () => {
    await expectRefused({ issuer: 'https://another-idp.example/metadata' }, /issuer|issued/i);
  });

  it('expired: an assertion past its NotOnOrAfter (beyond the clock skew) is refused; within the skew it passes', async () => {
    await expectRefused({ notOnOrAfter: minutes(-5), issueInstant: minutes(-8), notBefore: minutes(-9) }, /expired|no valid subject confirmation/i);
    const { res } = await samlSignIn(s, { nameID: 'alice', notOnOrAfter: new Date(Date.now() - 10_000), issueInstant: minutes(-2) });
    expect(res.status).toBe(302); // 10 s late, 30 s of skew allowed
  });

  it('not-yet-valid: an assertion whose NotBefore is in the future (beyond the skew) is refused', async () => {
    await expectRefused({ notBefore: minutes(10), notOnOrAfter: minutes(15) }, /not yet valid/i);
  });

  it('too-old: an assertion issued long ago is refused even when its NotOnOrAfter is far away', async () => {
    await expectRefused({ issueInstant: minutes(-30), notBefore: minutes(-31), notOnOrAfter: minutes(60) }, /too old|no valid subject confirmation/i);
  });

  it('replayed-assertion: an assertion id used once is refused in a new sign-in, and the same response posted again is refused', async () => {
    const assertionId = samlId();
    const first = await samlSignIn(s, { nameID: 'alice', assertionId });
    expect(first.res.status).toBe(302);
    await expectRefused({ assertionId }, /used before/);
  });

  it('replayed-response: the response of a finished sign-in posted again (another browser) is refused', async () => {
    const { browser, requestId, relayState } = await startSamlSignIn(s);
    const xml = s.idp.sign(s.idp.response({ inResponseTo: requestId, nameID: 'alice' }), 'assertion');
    expect((await postSamlResponse(s, browser, xml, relayState)).status).toBe(302);
    const thief = new HttpBrowser();
    const again = await postSamlResponse(s, thief, xml, relayState);
    expect(again.status).toBe(400);
    expect((await whoami(s, thief)).status).toBe(401);
  });

  it('unsolicited-response: a response to no request of the gateway is refused while unsolicited responses are off', async () => {
    const browser = new HttpBrowser();
    const res = await postSamlResponse(s, browser, s.idp.sign(s.idp.response({ nameID: 'alice' }), 'assertion'));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ gateway_code: 'GW_SAML_INVALID', message: expect.stringMatching(/InResponseTo/) });
    expect((await whoami(s, browser)).status).toBe(401);
  });

  it('in-response-to-mismatch: a request id the gateway never sent, or a SubjectConfirmationData naming another request, is refused', async () => {
    await expectRefused({ inResponseTo: samlId() }, /InResponseTo/);
    const { requestId: other } = await startSamlSignIn(s);
    await expectRefused({ subjectInResponseTo: other }, /InResponseTo/i);
  });

  it('unsolicited-allowed: with SAML_ALLOW_UNSOLICITED=true an IdP-initiated response signs in once, its replay is refused', async () => {
    const open = await startSamlStack({ env: { GATEWAY_PROVIDER_CORP_SAML_ALLOW_UNSOLICITED: 'true' } });
    try {
      const xml = open.idp.sign(open.idp.response({ nameID: 'alice' }), 'assertion');
      const browser = new HttpBrowser();
      expect((await postSamlResponse(open, browser, xml)).status).toBe(302);
      expect((await whoami(open, browser)).body).toMatchObject({ username: 'alice' });
      const again = await postSamlResponse(open, new HttpBrowser(), xml);
      expect(again.status).toBe(400);
      expect(await again.json()).toMatchObject({ message: expect.stringMatching(/used before/) });
    } finally {
      await open.stop();
    }
  });
});
