import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';

const BASE = {
  MLFLOW_UPSTREAM_URL: 'http://127.0.0.1:5000', GATEWAY_PUBLIC_URL: 'https://ml.example.com/mlflow', GATEWAY_SECRET: 'x'.repeat(40),
  OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'mlflow', GATEWAY_PROVIDERS: 'corp', GATEWAY_PROVIDER_CORP_KIND: 'saml',
};
const P = 'GATEWAY_PROVIDER_CORP_';

function metadataFile(entityId: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'saml-config-')), 'idp.xml');
  writeFileSync(file, `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${entityId}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>MIIB</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.org/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`);
  return file;
}

function problems(env: Record<string, string>): Record<string, string> {
  const r = loadConfig({ ...BASE, ...env });
  if (r.ok) throw new Error('expected problems');
  return Object.fromEntries(r.problems.map((p) => [p.env, p.message]));
}

describe('SAML provider configuration', () => {
  it('derives the SP endpoints and entity id, and reads the IdP entity id from a metadata file', () => {
    const r = loadConfig({ ...BASE, [`${P}SAML_METADATA`]: metadataFile('http://www.okta.com/exk123') });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const corp = r.config.providers.find((p) => p.id === 'corp')!;
    expect(corp).toMatchObject({
      kind: 'saml', issuer: 'http://www.okta.com/exk123', clientId: 'https://ml.example.com/mlflow/_gateway/saml/corp/metadata',
      redirectUri: 'https://ml.example.com/mlflow/_gateway/saml/corp/acs', audience: ['https://ml.example.com/mlflow/_gateway/saml/corp/metadata'],
      claims: { username: 'nameID', email: 'email', groups: 'groups' },
      saml: { signed: 'either', binding: 'redirect', allowUnsolicited: false, sloUrl: 'https://ml.example.com/mlflow/_gateway/saml/corp/slo' },
    });
  });

  it('names each mistake by the variable: no metadata, OIDC-only settings, a URL without entity id, a key without certificate, a broken file', () => {
    expect(problems({})[`${P}SAML_METADATA`]).toMatch(/required for a SAML provider/);
    expect(problems({ [`${P}SAML_METADATA`]: metadataFile('urn:a'), [`${P}ISSUER`]: 'https://idp.example.org' })[`${P}ISSUER`]).toMatch(/does not apply/);
    expect(problems({ [`${P}SAML_METADATA`]: metadataFile('urn:a'), [`${P}CLIENT_SECRET`]: 's' })[`${P}CLIENT_SECRET`]).toMatch(/does not apply/);
    expect(problems({ [`${P}SAML_METADATA`]: 'https://idp.example.org/metadata' })[`${P}SAML_IDP_ENTITY_ID`]).toMatch(/required with a metadata URL/);
    expect(problems({ [`${P}SAML_METADATA`]: 'http://idp.example.org/metadata', [`${P}SAML_IDP_ENTITY_ID`]: 'urn:a' })[`${P}SAML_METADATA`]).toMatch(/https/);
    expect(problems({ [`${P}SAML_METADATA`]: metadataFile('urn:a'), [`${P}SAML_SIGNING_KEY`]: '-----BEGIN PRIVATE KEY-----x' })[`${P}SAML_SIGNING_CERT`]).toMatch(/go together/);
    expect(problems({ [`${P}SAML_METADATA`]: '/nonexistent/idp.xml' })[`${P}SAML_METADATA`]).toMatch(/cannot read \/nonexistent\/idp\.xml/);
    expect(problems({ [`${P}SAML_METADATA`]: metadataFile('urn:a'), [`${P}SAML_SIGNED`]: 'never' })[`${P}SAML_SIGNED`]).toMatch(/either, assertion, response, both/);
  });

  it('lets one IdP be an OIDC provider and a SAML provider at once (Keycloak), but not two SAML providers with one entity id', () => {
    const file = metadataFile('https://idp.example.com');
    expect(loadConfig({ ...BASE, [`${P}SAML_METADATA`]: file }).ok).toBe(true);
    const two = problems({ GATEWAY_PROVIDERS: 'corp,corp2', [`${P}SAML_METADATA`]: file, GATEWAY_PROVIDER_CORP2_KIND: 'saml', GATEWAY_PROVIDER_CORP2_SAML_METADATA: file });
    expect(Object.values(two).join(' ')).toMatch(/same issuer as provider corp/);
  });
});
