// SAML 2.0 IdP metadata (SAML V2.0 Metadata, OASIS 2005): what the gateway reads from it to talk to
// the IdP. Pure: parses a string. No DTDs at all (no entity can expand or reach out: XXE).
import { loadXmlDom } from './lazy-libs.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
export const BINDING_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
export const BINDING_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';

export interface IdpMetadata {
  readonly entityId: string;
  /** Base64 DER of each certificate the IdP signs with (KeyDescriptor use="signing" or without use). */
  readonly signingCerts: readonly string[];
  /** SingleSignOnService locations by binding. */
  readonly ssoRedirect: string | undefined;
  readonly ssoPost: string | undefined;
  /** SingleLogoutService (Redirect binding preferred, else POST); undefined: the IdP offers no SLO. */
  readonly sloUrl: string | undefined;
  readonly sloBinding: 'redirect' | 'post' | undefined;
}

export class MetadataError extends Error {}

/** A document with a DOCTYPE is refused before parsing: metadata never needs one, and entities are how XXE and billion laughs work. */
export function hasDoctype(xml: string): boolean {
  return /<!DOCTYPE|<!ENTITY/i.test(xml);
}

export function parseIdpMetadata(xml: string, wantedEntityId?: string): IdpMetadata {
  if (hasDoctype(xml)) throw new MetadataError('the metadata has a DOCTYPE (refused: no entities in SAML)');
  const errors: string[] = [];
  const doc = new (loadXmlDom().DOMParser)({ errorHandler: { warning: () => undefined, error: (m) => void errors.push(String(m)), fatalError: (m) => void errors.push(String(m)) } })
    .parseFromString(xml, 'text/xml');
  if (errors.length > 0 || !doc?.documentElement) throw new MetadataError(`the metadata is not well-formed XML${errors[0] ? `: ${errors[0].slice(0, 200)}` : ''}`);
  const root = doc.documentElement;
  const descriptors = root.localName === 'EntityDescriptor' && root.namespaceURI === MD
    ? [root]
    : root.localName === 'EntitiesDescriptor' && root.namespaceURI === MD
      ? Array.from(root.getElementsByTagNameNS(MD, 'EntityDescriptor'))
      : [];
  if (descriptors.length === 0) throw new MetadataError('the document is not SAML metadata (no md:EntityDescriptor)');
  const withIdp = descriptors.filter((d) => d.getElementsByTagNameNS(MD, 'IDPSSODescriptor').length > 0);
  const picked = wantedEntityId === undefined
    ? (withIdp.length === 1 ? withIdp[0] : undefined)
    : withIdp.find((d) => d.getAttribute('entityID') === wantedEntityId);
  if (!picked) {
    throw new MetadataError(wantedEntityId === undefined
      ? `the metadata describes ${withIdp.length} identity providers; name the one to use (SAML_IDP_ENTITY_ID)`
      : `the metadata has no identity provider with entityID ${wantedEntityId}`);
  }
  const entityId = picked.getAttribute('entityID') ?? '';
  if (entityId === '') throw new MetadataError('the EntityDescriptor has no entityID');
  const idp = picked.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0]!;
  const signingCerts: string[] = [];
  for (const kd of Array.from(idp.getElementsByTagNameNS(MD, 'KeyDescriptor'))) {
    const use = kd.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const c of Array.from(kd.getElementsByTagNameNS(DS, 'X509Certificate'))) {
      const b64 = (c.textContent ?? '').replace(/\s+/g, '');
      if (b64 !== '' && !signingCerts.includes(b64)) signingCerts.push(b64);
    }
  }
  if (signingCerts.length === 0) throw new MetadataError('the identity provider publishes no signing certificate (KeyDescriptor with an X509Certificate)');
  const services = (name: string) => Array.from(idp.getElementsByTagNameNS(MD, name)).map((e) => ({ binding: e.getAttribute('Binding'), location: e.getAttribute('Location') ?? '' }));
  const at = (list: ReturnType<typeof services>, binding: string) => list.find((s) => s.binding === binding && /^https?:\/\//.test(s.location))?.location;
  const sso = services('SingleSignOnService');
  const slo = services('SingleLogoutService');
  const ssoRedirect = at(sso, BINDING_REDIRECT);
  const ssoPost = at(sso, BINDING_POST);
  if (!ssoRedirect && !ssoPost) throw new MetadataError('the identity provider has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding');
  const sloRedirect = at(slo, BINDING_REDIRECT);
  const sloPost = at(slo, BINDING_POST);
  return {
    entityId, signingCerts, ssoRedirect, ssoPost,
    sloUrl: sloRedirect ?? sloPost,
    sloBinding: sloRedirect ? 'redirect' : sloPost ? 'post' : undefined,
  };
}

/** Base64 DER → PEM, as node-saml takes certificates. */
export function certToPem(b64: string): string {
  return `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}
