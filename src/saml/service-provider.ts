// The gateway as a SAML service provider, one node-saml instance per message: node-saml does the
// XML signature work (never hand-written here); this module gives it the IdP's certificates from
// the metadata and a store-backed request cache, so request ids are known on every replica.
import type { CacheProvider, SAML } from '@node-saml/node-saml';
import { loadNodeSaml } from './lazy-libs.js';
import type { Config } from '../config/index.js';
import type { ProviderConfig } from '../oidc/providers/types.js';
import type { OneTimeIdStore } from '../store/index.js';
import { certToPem, type IdpMetadata } from './metadata.js';

/** How long a sign-in may take between our AuthnRequest and the IdP's response (its id is pending that long). */
export const SAML_REQUEST_TTL_SECONDS = 600;
/** An assertion is refused this long after its IssueInstant, whatever its NotOnOrAfter says. */
export const SAML_MAX_ASSERTION_AGE_SECONDS = 600;

/** Namespace of a provider's pending request ids (AuthnRequest and LogoutRequest). */
export const requestNamespace = (p: ProviderConfig) => `saml-request:${p.id}`;

/**
 * A request cache on the store's one-time ids. node-saml reads a pending id (getAsync) while it
 * validates and removes it (removeAsync) at the end, on success and on failure: `consumed` records
 * which ids this message took, and the caller requires its InResponseTo among them, so two
 * replicas racing with one response cannot both accept it (the DELETE lets one win).
 */
export function storeRequestCache(oneTimeIds: OneTimeIdStore, namespace: string): CacheProvider & { consumed: Set<string> } {
  const consumed = new Set<string>();
  return {
    consumed,
    async saveAsync(key, value) {
      await oneTimeIds.expect(namespace, key, new Date(Date.now() + SAML_REQUEST_TTL_SECONDS * 1000));
      return { value, createdAt: Date.now() };
    },
    async getAsync(key) {
      if (typeof key !== 'string' || key === '' || key.length > 256) return null;
      // node-saml reads the value as the request's creation time; the store already refused an
      // expired id, so "now" is the answer that lets its own age check pass for a pending one.
      return (await oneTimeIds.isExpected(namespace, key, new Date())) ? new Date().toISOString() : null;
    },
    async removeAsync(key) {
      if (typeof key !== 'string' || key === '' || key.length > 256) return null;
      if (await oneTimeIds.consume(namespace, key, new Date())) consumed.add(key);
      return key;
    },
  };
}

/** `postBinding`: the message goes in a form, base64 without DEFLATE (SAML bindings §3.5.4); Redirect messages are deflated. */
export function serviceProvider(config: Config, p: ProviderConfig, meta: IdpMetadata, cache: CacheProvider, postBinding = false): SAML {
  const s = p.saml!;
  const signed = s.signed;
  const { SAML, ValidateInResponseTo } = loadNodeSaml();
  return new SAML({
    issuer: p.clientId,
    callbackUrl: s.acsUrl,
    logoutCallbackUrl: s.sloUrl,
    entryPoint: (s.binding === 'post' ? meta.ssoPost ?? meta.ssoRedirect : meta.ssoRedirect ?? meta.ssoPost)!,
    authnRequestBinding: s.binding === 'post' && meta.ssoPost ? 'HTTP-POST' : 'HTTP-Redirect',
    ...(meta.sloUrl ? { logoutUrl: meta.sloUrl } : {}),
    idpCert: meta.signingCerts.map(certToPem),
    idpIssuer: meta.entityId,
    audience: p.clientId,
    // node-saml accepts a valid signature on the response (covering its one assertion) or on the
    // assertion; these two say which one must be there in any case.
    wantAssertionsSigned: signed === 'assertion' || signed === 'both',
    wantAuthnResponseSigned: signed === 'response' || signed === 'both',
    acceptedClockSkewMs: config.clockSkew * 1000,
    maxAssertionAgeMs: SAML_MAX_ASSERTION_AGE_SECONDS * 1000,
    validateInResponseTo: s.allowUnsolicited ? ValidateInResponseTo.ifPresent : ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: SAML_REQUEST_TTL_SECONDS * 1000,
    cacheProvider: cache,
    // The IdP decides the NameID format configured for the gateway; asking for emailAddress would make some refuse.
    identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
    disableRequestedAuthnContext: true,
    skipRequestCompression: postBinding,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    ...(s.signingKey ? { privateKey: s.signingKey, publicCert: s.signingCert } : {}),
  });
}

/** The SP metadata document the IdP administrator imports (entity id, ACS, SLO, our signing certificate). */
export function spMetadata(p: ProviderConfig): string {
  const s = p.saml!;
  return loadNodeSaml().generateServiceProviderMetadata({
    issuer: p.clientId,
    callbackUrl: s.acsUrl,
    logoutCallbackUrl: s.sloUrl,
    identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
    wantAssertionsSigned: s.signed === 'assertion' || s.signed === 'both',
    // node-saml publishes the signing certificate only when it knows the key (then AuthnRequestsSigned="true").
    ...(s.signingKey && s.signingCert ? { privateKey: s.signingKey, publicCerts: s.signingCert } : {}),
  });
}
