import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from '../support/http-browser.js';
import { postSamlResponse, samlSignIn, startSamlSignIn, startSamlStack, whoami, type SamlStack } from '../support/saml-stack.js';

// SAML 2.0 sign-in through a real signing IdP (test/support/saml-idp.ts) into a real gateway in
// front of the real MLflow: SP metadata, both AuthnRequest bindings, attribute mapping, the session
// and a proxied MLflow call, single logout both ways.
describe('SAML sign-in', () => {
  let s: SamlStack;
  beforeAll(async () => {
    s = await startSamlStack();
  });
  afterAll(async () => s?.stop());

  it('publishes SP metadata at a stable URL: entity id, ACS (HTTP-POST) and SLO', async () => {
    const res = await fetch(`${s.stack.gatewayUrl}/_gateway/saml/corp/metadata`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/samlmetadata\+xml/);
    const xml = await res.text();
    expect(xml).toContain(`entityID="${s.spEntityId}"`);
    expect(xml).toContain(`Location="${s.acsUrl}"`);
    expect(xml).toContain('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    expect(xml).toContain(`${s.stack.gatewayUrl}/_gateway/saml/corp/slo`);
  });

  it('lists the SAML provider on the sign-in page next to the OIDC one', async () => {
    const page = await (await fetch(`${s.stack.gatewayUrl}/_gateway/login`)).text();
    expect(page).toContain('data-provider="corp"');
    expect(page).toContain('Corp SAML');
    expect(page).toContain('data-provider="oidc"');
  });

  it('signs in with a signed assertion (Redirect binding): username from NameID, email and groups from attributes, MLflow reachable', async () => {
    const { browser, res } = await samlSignIn(s, { nameID: 'alice', attributes: { email: 'alice@example.com', groups: ['team-a', 'mlflow-admins'] } });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/');
    const me = await whoami(s, browser);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'alice', email: 'alice@example.com', groups: ['team-a', 'mlflow-admins'], is_admin: true });
    const mlflow = await browser.get(`${s.stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=5`, { accept: 'application/json' });
    expect(mlflow.status).toBe(200);
    expect(await mlflow.json()).toHaveProperty('experiments');
    // Administrators see the SAML provider with what its IdP imports (admin API; the web UI's provider list).
    const providers = await browser.get(`${s.stack.gatewayUrl}/_gateway/api/v1/identity-providers`, { accept: 'application/json' });
    expect(providers.status).toBe(200);
    const corp = ((await providers.json()) as { providers: Record<string, unknown>[] }).providers.find((p) => p.id === 'corp');
    expect(corp).toMatchObject({
      kind: 'saml', issuer: s.idp.entityId, redirect_uri: s.acsUrl, backchannel_logout_uri: null, discovered: true,
      saml: { sp_entity_id: s.spEntityId, sp_metadata_url: s.spEntityId, acs_url: s.acsUrl, slo_url: `${s.stack.gatewayUrl}/_gateway/saml/corp/slo`, signed: 'either', binding: 'redirect', allow_unsolicited: false },
    });
  });

  it('signs in with a signed response (assertion unsigned inside it)', async () => {
    const { browser, res } = await samlSignIn(s, { nameID: 'bob', attributes: { groups: 'team-b' }, sign: 'response' });
    expect(res.status).toBe(302);
    expect((await whoami(s, browser)).body).toMatchObject({ username: 'bob', groups: ['team-b'], is_admin: false });
  });

  it('sends the AuthnRequest by an auto-posted form with the HTTP-POST binding', async () => {
    const post = await startSamlStack({ env: { GATEWAY_PROVIDER_CORP_SAML_BINDING: 'post' } });
    try {
      const browser = new HttpBrowser();
      const res = await browser.get(`${post.stack.gatewayUrl}/_gateway/login?provider=corp&return_to=%2Fx`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain('form-action https://idp.saml.test');
      const html = await res.text();
      expect(html).toContain(`action="${post.idp.ssoUrl}"`);
      const request = Buffer.from(/name="SAMLRequest" value="([^"]+)"/.exec(html)![1]!, 'base64').toString('utf8');
      const id = /ID="([^"]+)"/.exec(request)![1]!;
      expect(request).toContain(`AssertionConsumerServiceURL="${post.acsUrl}"`);
      const answer = await postSamlResponse(post, browser, post.idp.sign(post.idp.response({ inResponseTo: id }), 'assertion'), '/x');
      expect(answer.status).toBe(302);
      expect(answer.headers.get('location')).toBe('/x');
      expect((await whoami(post, browser)).body).toMatchObject({ username: 'alice' });
    } finally {
      await post.stop();
    }
  });

  it('signs its AuthnRequests and publishes its certificate when SAML_SIGNING_KEY and SAML_SIGNING_CERT are set', async () => {
    const { makeKeyPair } = await import('../support/saml-idp.js');
    const key = makeKeyPair('mlflow-gateway-sp');
    const signing = await startSamlStack({ env: { GATEWAY_PROVIDER_CORP_SAML_SIGNING_KEY: key.key, GATEWAY_PROVIDER_CORP_SAML_SIGNING_CERT: key.cert } });
    try {
      const res = await new HttpBrowser().get(`${signing.stack.gatewayUrl}/_gateway/login?provider=corp`);
      const to = new URL(res.headers.get('location')!);
      expect(to.searchParams.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
      const { createVerify } = await import('node:crypto');
      const signed = to.search.slice(1).split('&').filter((p) => !p.startsWith('Signature=')).join('&');
      expect(createVerify('RSA-SHA256').update(signed).verify(key.cert, to.searchParams.get('Signature')!, 'base64')).toBe(true);
      const metadata = await (await fetch(`${signing.stack.gatewayUrl}/_gateway/saml/corp/metadata`)).text();
      expect(metadata).toContain(key.certB64.slice(0, 60));
    } finally {
      await signing.stop();
    }
  });

  it('ends the session when the IdP sends a signed LogoutRequest for its NameID and SessionIndex (Redirect and POST)', async () => {
    const { browser } = await samlSignIn(s, { nameID: 'carol', sessionIndex: 'idx-carol-1', attributes: { groups: 'team-a' } });
    const other = await samlSignIn(s, { nameID: 'carol', sessionIndex: 'idx-carol-2', attributes: { groups: 'team-a' } });
    expect((await whoami(s, browser)).status).toBe(200);
    const res = await fetch(`${s.stack.gatewayUrl}/_gateway/saml/corp/slo?${s.idp.logoutRequestQuery({ nameID: 'carol', sessionIndex: 'idx-carol-1' })}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const answer = new URL(res.headers.get('location')!);
    expect(`${answer.origin}${answer.pathname}`).toBe(s.idp.sloUrl);
    expect(answer.searchParams.get('SAMLResponse')).toBeTruthy();
    expect((await whoami(s, browser)).status).toBe(401);
    expect((await whoami(s, other.browser)).status).toBe(200); // another IdP session of the same person
    const posted = await fetch(`${s.stack.gatewayUrl}/_gateway/saml/corp/slo`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLRequest: s.idp.logoutRequestPost({ nameID: 'carol' }) }).toString(),
    });
    expect(posted.status).toBe(302);
    expect((await whoami(s, other.browser)).status).toBe(401); // no SessionIndex: every session of the NameID
  });

  it('signs out SP-initiated with a LogoutRequest to the IdP naming the NameID and SessionIndex', async () => {
    const { browser } = await samlSignIn(s, { nameID: 'dave', sessionIndex: 'idx-dave', attributes: { groups: 'team-a' } });
    // The sign-out page's form may lead to the IdP's single logout service (CSP form-action covers redirects).
    const page = await browser.get(`${s.stack.gatewayUrl}/_gateway/logout`);
    expect(page.headers.get('content-security-policy')).toContain(new URL(s.idp.sloUrl).origin);
    const res = await browser.request(`${s.stack.gatewayUrl}/_gateway/logout`, { method: 'POST', headers: { origin: s.stack.origin } });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(s.idp.sloUrl);
    const { inflateRawSync } = await import('node:zlib');
    const request = inflateRawSync(Buffer.from(to.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    expect(request).toContain('>dave</');
    expect(request).toContain('idx-dave');
    expect((await whoami(s, browser)).status).toBe(401);
  });

  it('refuses a second start of the same response: the request id is taken once', async () => {
    const { browser, requestId, relayState } = await startSamlSignIn(s);
    const xml = s.idp.sign(s.idp.response({ inResponseTo: requestId, nameID: 'erin' }), 'assertion');
    expect((await postSamlResponse(s, browser, xml, relayState)).status).toBe(302);
    const again = await postSamlResponse(s, new HttpBrowser(), xml, relayState);
    expect(again.status).toBe(400);
  });
});
