import { describe, expect, it } from 'vitest';
import { MetadataError, parseIdpMetadata } from './metadata.js';

const idp = (entityId: string, extra = '') => `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>ENC</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
      SIG1
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>SIG2</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example/slo-post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/>
    ${extra}
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

describe('IdP metadata', () => {
  it('reads the entity id, the signing certificates (not the encryption one), SSO and SLO endpoints', () => {
    expect(parseIdpMetadata(idp('https://idp.example/realms/x'))).toEqual({
      entityId: 'https://idp.example/realms/x', signingCerts: ['SIG1', 'SIG2'],
      ssoRedirect: 'https://idp.example/sso', ssoPost: undefined, sloUrl: 'https://idp.example/slo-post', sloBinding: 'post',
    });
  });

  it('picks the wanted IdP out of an aggregate, and refuses when it is not there or ambiguous', () => {
    const both = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${idp('urn:a')}${idp('urn:b')}</md:EntitiesDescriptor>`;
    expect(parseIdpMetadata(both, 'urn:b').entityId).toBe('urn:b');
    expect(() => parseIdpMetadata(both)).toThrow(/2 identity providers/);
    expect(() => parseIdpMetadata(both, 'urn:c')).toThrow(/no identity provider with entityID urn:c/);
  });

  it('refuses a DOCTYPE (XXE, entity expansion), non-metadata, broken XML and an IdP without signing certificate', () => {
    expect(() => parseIdpMetadata(`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${idp('urn:a')}`)).toThrow(/DOCTYPE/);
    expect(() => parseIdpMetadata('<html/>')).toThrow(/not SAML metadata/);
    expect(() => parseIdpMetadata('<md:EntityDescriptor')).toThrow(MetadataError);
    expect(() => parseIdpMetadata(idp('urn:a').replace(/<md:KeyDescriptor[\s\S]*?<\/md:KeyDescriptor>/g, ''))).toThrow(/no signing certificate/);
  });
});
