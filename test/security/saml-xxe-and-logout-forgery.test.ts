import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKeyPair } from '../support/saml-idp.js';
import { postSamlResponse, samlSignIn, startSamlSignIn, startSamlStack, whoami, type SamlStack } from '../support/saml-stack.js';

// XML entity attacks (XXE reading a local file, entity expansion) on every SAML endpoint, and
// forged single-logout requests: none may read a file, burn CPU or end someone's session.
describe('SAML XXE, entity expansion and forged single logout', () => {
  let s: SamlStack;
  beforeAll(async () => {
    s = await startSamlStack();
  });
  afterAll(async () => s?.stop());

  const XXE = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>';
  const LAUGHS = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>';

  it('xxe-in-response: a response with an external entity in its NameID is refused before parsing; no file content comes back', async () => {
    const { browser, requestId, relayState } = await startSamlSignIn(s);
    const signed = s.idp.sign(s.idp.response({ inResponseTo: requestId, nameID: 'alice' }), 'assertion');
    const res = await postSamlResponse(s, browser, `${XXE}${signed.replace('>alice<', '>&xxe;<')}`, relayState);
    const body = await res.text();
    expect(res.status).toBe(400);
    expect(JSON.parse(body)).toMatchObject({ gateway_code: 'GW_SAML_INVALID', message: expect.stringMatching(/DOCTYPE/) });
    expect(body).not.toContain('root:');
    expect((await whoami(s, browser)).status).toBe(401);
  });

  it('entity-expansion-in-response: a billion-laughs response is refused at once', async () => {
    const { browser, requestId, relayState } = await startSamlSignIn(s);
    const started = Date.now();
    const res = await postSamlResponse(s, browser, `${LAUGHS}${s.idp.response({ inResponseTo: requestId, nameID: '&f;' })}`, relayState);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ gateway_code: 'GW_SAML_INVALID', message: expect.stringMatching(/DOCTYPE/) });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('xxe-in-logout-request: a DOCTYPE in a Redirect-binding (deflated) or POST LogoutRequest is refused', async () => {
    const xml = `${XXE}<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0" IssueInstant="${new Date().toISOString()}"><saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${s.idp.entityId}</saml:Issuer><saml:NameID xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">&xxe;</saml:NameID></samlp:LogoutRequest>`;
    const q = new URLSearchParams({ SAMLRequest: deflateRawSync(Buffer.from(xml)).toString('base64'), SigAlg: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', Signature: 'AAAA' });
    const get = await fetch(`${s.stack.gatewayUrl}/_gateway/saml/corp/slo?${q.toString()}`, { redirect: 'manual' });
    expect(get.status).toBe(400);
    expect(await get.json()).toMatchObject({ gateway_code: 'GW_SAML_INVALID', message: expect.stringMatching(/DOCTYPE/) });
    const post = await fetch(`${s.stack.gatewayUrl}/_gateway/saml/corp/slo`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLRequest: Buffer.from(xml).toString('base64') }).toString(),
    });
    expect(post.status).toBe(400);
    expect(await post.json()).toMatchObject({ gateway_code: 'GW_SAML_INVALID', message: expect.stringMatching(/DOCTYPE/) });
  });

  async function signedInVictim(nameID: string, sessionIndex: string) {
    const { browser, res } = await samlSignIn(s, { nameID, sessionIndex, attributes: { groups: 'team-a' } });
    expect(res.status).toBe(302);
    return browser;
  }

  const slo = (query: string) => fetch(`${s.stack.gatewayUrl}/_gateway/saml/corp/slo?${query}`, { redirect: 'manual' });

  it('unsigned-logout-request: an unsigned Redirect-binding LogoutRequest ends no session', async () => {
    const victim = await signedInVictim('victim-1', 'idx-v1');
    const res = await slo(s.idp.logoutRequestQuery({ nameID: 'victim-1', sessionIndex: 'idx-v1', signed: false }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ gateway_code: 'GW_SAML_INVALID', message: expect.stringMatching(/not signed/) });
    expect((await whoami(s, victim)).status).toBe(200);
  });

  it('attacker-signed-logout-request: a LogoutRequest signed with a key the metadata does not name ends no session (Redirect and POST)', async () => {
    const victim = await signedInVictim('victim-2', 'idx-v2');
    const attacker = makeKeyPair('saml-test-idp');
    expect((await slo(s.idp.logoutRequestQuery({ nameID: 'victim-2', keys: attacker }))).status).toBe(400);
    const post = await fetch(`${s.stack.gatewayUrl}/_gateway/saml/corp/slo`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLRequest: s.idp.logoutRequestPost({ nameID: 'victim-2', keys: attacker }) }).toString(),
    });
    expect(post.status).toBe(400);
    expect((await whoami(s, victim)).status).toBe(200);
  });

  it('tampered-logout-request: a signed LogoutRequest whose NameID was changed after signing ends no session', async () => {
    const victim = await signedInVictim('victim-3', 'idx-v3');
    const q = new URLSearchParams(s.idp.logoutRequestQuery({ nameID: 'mallory' }));
    const { inflateRawSync } = await import('node:zlib');
    const xml = inflateRawSync(Buffer.from(q.get('SAMLRequest')!, 'base64')).toString('utf8').replace('>mallory<', '>victim-3<');
    q.set('SAMLRequest', deflateRawSync(Buffer.from(xml)).toString('base64'));
    expect((await slo(q.toString())).status).toBe(400);
    expect((await whoami(s, victim)).status).toBe(200);
  });

  it('logout-request-of-another-idp: a correctly signed LogoutRequest naming another issuer ends no session', async () => {
    const victim = await signedInVictim('victim-4', 'idx-v4');
    expect((await slo(s.idp.logoutRequestQuery({ nameID: 'victim-4', issuer: 'https://another-idp.example/metadata' }))).status).toBe(400);
    expect((await whoami(s, victim)).status).toBe(200);
  });

  it('replayed-logout-request: a LogoutRequest id is honoured once', async () => {
    const victim = await signedInVictim('victim-5', 'idx-v5');
    const query = s.idp.logoutRequestQuery({ nameID: 'victim-5', sessionIndex: 'idx-v5', id: '_logout-once' });
    expect((await slo(query)).status).toBe(302);
    expect((await whoami(s, victim)).status).toBe(401);
    const again = await slo(query);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ message: expect.stringMatching(/used before/) });
  });
});
