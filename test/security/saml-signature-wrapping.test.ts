import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from '../support/http-browser.js';
import { makeKeyPair, NS, parseXml, serializeXml } from '../support/saml-idp.js';
import { postSamlResponse, startSamlSignIn, startSamlStack, whoami, type SamlStack } from '../support/saml-stack.js';

// XML signature attacks on SAML responses. The attacker, mallory, is a real user of the IdP: she
// gets a genuinely signed response for herself and rearranges it so that an unsigned assertion
// for alice (an administrator) is what a careless SP would read, while the signature still
// verifies over her own untouched element. Every shape is refused; nobody is signed in.
describe('SAML XML signature wrapping and signature stripping', () => {
  let s: SamlStack;
  beforeAll(async () => {
    s = await startSamlStack();
  });
  afterAll(async () => s?.stop());

  const el = (parent: Document | Element, ns: string, local: string) => Array.from(parent.getElementsByTagNameNS(ns, local));
  const child = (parent: Element, ns: string, local: string) => Array.from(parent.childNodes).find((n): n is Element => (n as Element).localName === local && (n as Element).namespaceURI === ns);

  /** Mallory's own response (signed as `what`), the AuthnRequest it answers, and a browser at that sign-in. */
  async function mallorys(what: 'assertion' | 'response') {
    const { browser, requestId, relayState } = await startSamlSignIn(s);
    const signed = s.idp.sign(s.idp.response({ inResponseTo: requestId, nameID: 'mallory', attributes: { groups: 'team-m' } }), what);
    return { browser, relayState, doc: parseXml(signed) };
  }

  /** An unsigned copy of `assertion` that says alice, administrator. */
  function evilCopy(assertion: Element): Element {
    const evil = assertion.cloneNode(true) as Element;
    for (const sig of el(evil, NS.ds, 'Signature')) sig.parentNode!.removeChild(sig);
    el(evil, NS.saml, 'NameID')[0]!.textContent = 'alice';
    for (const v of el(evil, NS.saml, 'AttributeValue')) v.textContent = 'mlflow-admins';
    return evil;
  }

  async function expectRefused(browser: HttpBrowser, xml: string, relayState: string | null) {
    const res = await postSamlResponse(s, browser, xml, relayState);
    const body = await res.text();
    expect(res.status, body).toBe(400);
    expect(JSON.parse(body)).toMatchObject({ gateway_code: 'GW_SAML_INVALID' });
    expect(JSON.parse(body).message).toMatch(/signature/i);
    expect((await whoami(s, browser)).status).toBe(401);
  }

  // The attack shapes. Each takes mallory's signed response and rearranges it in place, or returns
  // another document to post instead.
  type Tamper = (doc: Document, response: Element) => Document | void;

  /** Mallory's response, signed as `what`, rearranged by `tamper`: refused, nobody signed in. */
  async function expectTamperedRefused(what: 'assertion' | 'response', tamper: Tamper) {
    const { browser, relayState, doc } = await mallorys(what);
    await expectRefused(browser, serializeXml(tamper(doc, doc.documentElement!) ?? doc), relayState);
  }

  /** A copy of `signed` without its own ds:Signature. */
  function withoutSignature(signed: Element): Element {
    const copy = signed.cloneNode(true) as Element;
    copy.removeChild(child(copy, NS.ds, 'Signature')!);
    return copy;
  }

  /** For wrapping a signed response: a copy with another ID whose assertion says alice, and its ds:Signature. */
  function evilResponse(original: Element): { evil: Element; signature: Element } {
    const evil = original.cloneNode(true) as Element;
    evil.setAttribute('ID', '_evil-response');
    const assertion = el(evil, NS.saml, 'Assertion')[0]!;
    evil.replaceChild(evilCopy(assertion), assertion);
    return { evil, signature: child(evil, NS.ds, 'Signature')! };
  }

  /** A document whose root is (a copy of) `root`. */
  function documentOf(root: Element): Document {
    const fresh = parseXml('<x/>');
    fresh.replaceChild(fresh.importNode(root, true), fresh.documentElement!);
    return fresh;
  }

  const signedAssertion = (doc: Document) => el(doc, NS.saml, 'Assertion')[0]!;

  it('control: mallory\'s untouched response signs her in (the harness is sound: refusals below are about the tampering)', async () => {
    for (const what of ['assertion', 'response'] as const) {
      const { browser, relayState, doc } = await mallorys(what);
      expect((await postSamlResponse(s, browser, serializeXml(doc), relayState)).status).toBe(302);
      expect((await whoami(s, browser)).body).toMatchObject({ username: 'mallory', is_admin: false });
    }
  });

  it('xsw-evil-assertion-first: an unsigned assertion placed before the signed one is refused', async () => {
    await expectTamperedRefused('assertion', (doc, response) => {
      const signed = signedAssertion(doc);
      response.insertBefore(evilCopy(signed), signed);
    });
  });

  it('xsw-evil-assertion-wraps-signed: an unsigned assertion that contains the signed one is refused', async () => {
    await expectTamperedRefused('assertion', (doc, response) => {
      const signed = signedAssertion(doc);
      const evil = evilCopy(signed);
      response.replaceChild(evil, signed);
      evil.appendChild(signed);
    });
  });

  it('xsw-signed-assertion-in-extensions: the evil assertion takes the signature, the signed original hides in samlp:Extensions', async () => {
    await expectTamperedRefused('assertion', (doc, response) => {
      const signed = signedAssertion(doc);
      const evil = evilCopy(signed);
      const signature = child(signed, NS.ds, 'Signature')!;
      evil.insertBefore(signature.cloneNode(true), child(evil, NS.saml, 'Subject')!);
      signed.removeChild(signature);
      const extensions = doc.createElementNS(NS.samlp, 'samlp:Extensions');
      extensions.appendChild(signed);
      response.replaceChild(evil, el(doc, NS.saml, 'Assertion').find((a) => a.parentNode === response)!);
      response.insertBefore(extensions, child(response, NS.samlp, 'Status')!);
    });
  });

  it('xsw-signed-assertion-in-signature-object: the signed original moved into the evil assertion\'s ds:Signature/ds:Object', async () => {
    await expectTamperedRefused('assertion', (doc, response) => {
      const signed = signedAssertion(doc);
      const evil = evilCopy(signed);
      const signature = child(signed, NS.ds, 'Signature')!.cloneNode(true) as Element;
      const object = doc.createElementNS(NS.ds, 'ds:Object');
      object.appendChild(withoutSignature(signed));
      signature.appendChild(object);
      evil.insertBefore(signature, child(evil, NS.saml, 'Subject')!);
      response.replaceChild(evil, signed);
    });
  });

  it('xsw-signed-response-inside-signature: an evil response root with the signed original response inside its ds:Signature', async () => {
    await expectTamperedRefused('response', (_doc, original) => {
      const { evil, signature } = evilResponse(original);
      signature.appendChild(original.cloneNode(true));
      return documentOf(evil);
    });
  });

  it('xsw-signed-response-detached: the signed original response as a sibling before the signature of an evil response', async () => {
    await expectTamperedRefused('response', (_doc, original) => {
      const { evil, signature } = evilResponse(original);
      evil.insertBefore(withoutSignature(original), signature);
      return documentOf(evil);
    });
  });

  it('injected-assertion-in-signed-response: an unsigned assertion added to a signed response is refused', async () => {
    await expectTamperedRefused('response', (doc, response) => {
      response.appendChild(evilCopy(signedAssertion(doc)));
    });
  });

  it('swapped-assertion-in-signed-response: the signed response\'s assertion replaced by an unsigned one is refused', async () => {
    await expectTamperedRefused('response', (doc, response) => {
      const assertion = signedAssertion(doc);
      response.replaceChild(evilCopy(assertion), assertion);
    });
  });

  it('unsigned-response: a response with no signature at all is refused', async () => {
    const { browser, requestId, relayState } = await startSamlSignIn(s);
    await expectRefused(browser, s.idp.response({ inResponseTo: requestId, nameID: 'alice' }), relayState);
  });

  it('attacker-key-in-keyinfo: an assertion signed with a key the metadata does not name (its certificate in KeyInfo) is refused', async () => {
    const { browser, requestId, relayState } = await startSamlSignIn(s);
    const attacker = makeKeyPair('saml-test-idp'); // same subject name as the real IdP's certificate
    await expectRefused(browser, s.idp.sign(s.idp.response({ inResponseTo: requestId, nameID: 'alice' }), 'assertion', attacker), relayState);
  });

  it('unsigned-assertion-in-signed-response: with SAML_SIGNED=assertion, a signed response around an unsigned assertion is refused', async () => {
    const strict = await startSamlStack({ env: { GATEWAY_PROVIDER_CORP_SAML_SIGNED: 'assertion' } });
    try {
      const { browser, requestId, relayState } = await startSamlSignIn(strict);
      const res = await postSamlResponse(strict, browser, strict.idp.sign(strict.idp.response({ inResponseTo: requestId, nameID: 'alice' }), 'response'), relayState);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ gateway_code: 'GW_SAML_INVALID' });
      expect((await whoami(strict, browser)).status).toBe(401);
      // The same IdP with the assertion signed signs in: the refusal was about the missing signature.
      const ok = await startSamlSignIn(strict);
      expect((await postSamlResponse(strict, ok.browser, strict.idp.sign(strict.idp.response({ inResponseTo: ok.requestId, nameID: 'alice' }), 'both'), ok.relayState)).status).toBe(302);
    } finally {
      await strict.stop();
    }
  });

  it('comment-injection-in-nameid: alice@example.com<!---->.evil.test signs in as the whole NameID, never as alice@example.com', async () => {
    const { browser, requestId, relayState } = await startSamlSignIn(s);
    const signed = s.idp.sign(s.idp.response({ inResponseTo: requestId, nameID: 'alice@example.com.evil.test', attributes: { groups: 'team-m' } }), 'assertion');
    // Exclusive canonicalization drops comments: the signature still verifies after the insertion.
    const tampered = signed.replace('>alice@example.com.evil.test<', '>alice@example.com<!---->.evil.test<');
    expect(tampered).not.toBe(signed);
    const res = await postSamlResponse(s, browser, tampered, relayState);
    const me = await whoami(s, browser);
    if (res.status === 302) expect(me.body.username).toBe('alice@example.com.evil.test');
    else expect(res.status).toBe(400);
    expect(me.body.username).not.toBe('alice@example.com');
  });
});
