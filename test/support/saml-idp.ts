// The IdP side of SAML tests: real RSA keys and X.509 certificates (openssl), real XML signatures
// (xml-crypto, exclusive canonicalization, RSA-SHA256), metadata on disk. It only produces
// documents; verifying them is the gateway's (node-saml's) job.
import { execFileSync } from 'node:child_process';
import { createSign, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

export const NS = {
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
};
const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

export interface KeyPair {
  readonly key: string;
  readonly cert: string;
  /** Base64 DER of the certificate, as metadata carries it. */
  readonly certB64: string;
}

export function makeKeyPair(cn: string): KeyPair {
  const dir = mkdtempSync(join(tmpdir(), 'saml-key-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', `/CN=${cn}`,
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert, certB64: cert.replace(/-----[^-]+-----|\s+/g, '') };
}

export interface AssertionOptions {
  inResponseTo?: string | null;
  /** SubjectConfirmationData's InResponseTo, when it should differ from the Response's. */
  subjectInResponseTo?: string | null;
  nameID?: string;
  audience?: string;
  recipient?: string | null;
  destination?: string | null;
  issuer?: string;
  notBefore?: Date;
  notOnOrAfter?: Date;
  issueInstant?: Date;
  sessionIndex?: string;
  assertionId?: string;
  attributes?: Record<string, string | string[]>;
}

export interface SamlTestIdp {
  readonly entityId: string;
  readonly metadataPath: string;
  readonly ssoUrl: string;
  readonly sloUrl: string;
  readonly keys: KeyPair;
  /** The service provider the documents are for (set once the gateway's URL is known). */
  sp: { entityId: string; acsUrl: string };
  /** An unsigned Response for the SP (acsUrl, spEntityId), to be signed by `sign`. */
  response(opts?: AssertionOptions): string;
  /** Signs the assertion, the response, or both (assertion first, so the response signature covers it). */
  sign(xml: string, what: 'assertion' | 'response' | 'both', keys?: KeyPair): string;
  /** A signed LogoutRequest in the HTTP-Redirect binding: the query string (SAMLRequest, RelayState, SigAlg, Signature). */
  logoutRequestQuery(opts: { nameID: string; sessionIndex?: string; id?: string; issuer?: string; signed?: boolean; keys?: KeyPair }): string;
  /** A LogoutRequest signed as XML (HTTP-POST binding), base64. */
  logoutRequestPost(opts: { nameID: string; sessionIndex?: string; id?: string; keys?: KeyPair }): string;
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
export const samlId = () => `_${randomBytes(16).toString('hex')}`;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

export function startSamlTestIdp(opts: { entityId?: string } = {}): SamlTestIdp {
  const self = { sp: { entityId: '', acsUrl: '' } };
  const entityId = opts.entityId ?? 'https://idp.saml.test/metadata';
  const keys = makeKeyPair('saml-test-idp');
  const dir = mkdtempSync(join(tmpdir(), 'saml-idp-'));
  const ssoUrl = 'https://idp.saml.test/sso';
  const sloUrl = 'https://idp.saml.test/slo';
  const metadataPath = join(dir, 'idp-metadata.xml');
  writeFileSync(metadataPath, `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="${NS.ds}" entityID="${esc(entityId)}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAuthnRequestsSigned="false">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${keys.certB64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${sloUrl}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${ssoUrl}"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${ssoUrl}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`);

  function response(o: AssertionOptions = {}): string {
    const now = new Date();
    const issueInstant = o.issueInstant ?? now;
    const notBefore = o.notBefore ?? new Date(now.getTime() - 60_000);
    const notOnOrAfter = o.notOnOrAfter ?? new Date(now.getTime() + 300_000);
    const inResponseTo = o.inResponseTo === undefined ? null : o.inResponseTo;
    const subjectIrt = o.subjectInResponseTo === undefined ? inResponseTo : o.subjectInResponseTo;
    const recipient = o.recipient === undefined ? self.sp.acsUrl : o.recipient;
    const destination = o.destination === undefined ? self.sp.acsUrl : o.destination;
    const issuer = o.issuer ?? entityId;
    const attrs = Object.entries(o.attributes ?? { email: 'alice@example.com', groups: ['team-a', 'mlflow-users'] }).map(([name, v]) =>
      `<saml:Attribute Name="${esc(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${(Array.isArray(v) ? v : [v]).map((x) => `<saml:AttributeValue>${esc(x)}</saml:AttributeValue>`).join('')}</saml:Attribute>`).join('');
    return `<samlp:Response xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${samlId()}" Version="2.0" IssueInstant="${iso(issueInstant)}"${destination ? ` Destination="${esc(destination)}"` : ''}${inResponseTo ? ` InResponseTo="${esc(inResponseTo)}"` : ''}>`
      + `<saml:Issuer>${esc(issuer)}</saml:Issuer>`
      + `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>`
      + `<saml:Assertion ID="${o.assertionId ?? samlId()}" Version="2.0" IssueInstant="${iso(issueInstant)}">`
      + `<saml:Issuer>${esc(issuer)}</saml:Issuer>`
      + `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${esc(o.nameID ?? 'alice')}</saml:NameID>`
      + `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${iso(notOnOrAfter)}"${recipient ? ` Recipient="${esc(recipient)}"` : ''}${subjectIrt ? ` InResponseTo="${esc(subjectIrt)}"` : ''}/></saml:SubjectConfirmation></saml:Subject>`
      + `<saml:Conditions NotBefore="${iso(notBefore)}" NotOnOrAfter="${iso(notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience ?? self.sp.entityId)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>`
      + `<saml:AuthnStatement AuthnInstant="${iso(issueInstant)}" SessionIndex="${esc(o.sessionIndex ?? samlId())}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`
      + `<saml:AttributeStatement>${attrs}</saml:AttributeStatement>`
      + `</saml:Assertion></samlp:Response>`;
  }

  function signElement(xml: string, elementXpath: string, issuerXpath: string, k: KeyPair): string {
    const sig = new SignedXml({ privateKey: k.key, publicCert: k.cert, signatureAlgorithm: RSA_SHA256, canonicalizationAlgorithm: EXC_C14N });
    sig.addReference({ xpath: elementXpath, transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', EXC_C14N], digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256' });
    sig.computeSignature(xml, { location: { reference: issuerXpath, action: 'after' } });
    return sig.getSignedXml();
  }

  function sign(xml: string, what: 'assertion' | 'response' | 'both', k: KeyPair = keys): string {
    let out = xml;
    if (what !== 'response') out = signElement(out, "/*[local-name(.)='Response']/*[local-name(.)='Assertion']", "/*[local-name(.)='Response']/*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", k);
    if (what !== 'assertion') out = signElement(out, "/*[local-name(.)='Response']", "/*[local-name(.)='Response']/*[local-name(.)='Issuer']", k);
    return out;
  }

  function logoutRequestXml(o: { nameID: string; sessionIndex?: string; id?: string; issuer?: string }): string {
    return `<samlp:LogoutRequest xmlns:samlp="${NS.samlp}" xmlns:saml="${NS.saml}" ID="${o.id ?? samlId()}" Version="2.0" IssueInstant="${iso(new Date())}" Destination="${esc(self.sp.acsUrl.replace(/acs$/, 'slo'))}">`
      + `<saml:Issuer>${esc(o.issuer ?? entityId)}</saml:Issuer><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${esc(o.nameID)}</saml:NameID>`
      + (o.sessionIndex ? `<samlp:SessionIndex>${esc(o.sessionIndex)}</samlp:SessionIndex>` : '')
      + `</samlp:LogoutRequest>`;
  }

  const methods: Omit<SamlTestIdp, 'sp'> = {
    entityId, metadataPath, ssoUrl, sloUrl, keys, response, sign,
    logoutRequestQuery(o) {
      const q = new URLSearchParams();
      q.set('SAMLRequest', deflateRawSync(Buffer.from(logoutRequestXml(o))).toString('base64'));
      q.set('RelayState', 'rs');
      if (o.signed === false) return q.toString();
      q.set('SigAlg', RSA_SHA256);
      const signer = createSign('RSA-SHA256');
      signer.update(q.toString());
      q.set('Signature', signer.sign((o.keys ?? keys).key, 'base64'));
      return q.toString();
    },
    logoutRequestPost(o) {
      const xml = logoutRequestXml(o);
      const k = o.keys ?? keys;
      const sig = new SignedXml({ privateKey: k.key, publicCert: k.cert, signatureAlgorithm: RSA_SHA256, canonicalizationAlgorithm: EXC_C14N });
      sig.addReference({ xpath: "/*[local-name(.)='LogoutRequest']", transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', EXC_C14N], digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256' });
      sig.computeSignature(xml, { location: { reference: "/*[local-name(.)='LogoutRequest']/*[local-name(.)='Issuer']", action: 'after' } });
      return Buffer.from(sig.getSignedXml()).toString('base64');
    },
  };
  return Object.assign(self, methods);
}

/** The AuthnRequest a Redirect-binding sign-in URL carries (deflated, base64). */
export function authnRequestOf(location: string): { id: string; xml: string; relayState: string | null; destination: string } {
  const url = new URL(location);
  const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64')).toString('utf8');
  const doc = parseXml(xml);
  return { id: doc.documentElement!.getAttribute('ID')!, xml, relayState: url.searchParams.get('RelayState'), destination: `${url.origin}${url.pathname}` };
}

export const parseXml = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml');
export const serializeXml = (node: Node) => new XMLSerializer().serializeToString(node as never);
