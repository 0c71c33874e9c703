// The settings of a SAML provider (`GATEWAY_PROVIDER_<ID>_KIND=saml`), checked when the
// configuration loads: what is missing or contradictory is reported by the name the operator typed.
import { readFileSync } from 'node:fs';
import type { ProviderSettingKey } from '../oidc/providers/settings.js';
import type { SamlSettings } from '../oidc/providers/types.js';
import { MetadataError, parseIdpMetadata } from './metadata.js';

/** The gateway's SP endpoints of provider `id`, under the mount point. */
export const samlPaths = (id: string) => ({
  metadata: `/_gateway/saml/${id}/metadata`,
  acs: `/_gateway/saml/${id}/acs`,
  slo: `/_gateway/saml/${id}/slo`,
});

/** Where a SAML identity is read from by default: the NameID is the username, attributes `email` and `groups`. */
export function samlDraftDefaults(): Partial<Record<ProviderSettingKey, unknown>> {
  return { usernameClaim: 'nameID', emailClaim: 'email', groupsClaim: 'groups' };
}

export const isUrl = (s: string) => /^https?:\/\//i.test(s);

/** Problems that need no file access: what a SAML provider must and must not have. */
export function samlDraftProblems(v: Partial<Record<ProviderSettingKey, unknown>>): [ProviderSettingKey, string][] {
  const out: [ProviderSettingKey, string][] = [];
  if (v.samlMetadata === undefined) out.push(['samlMetadata', 'is required for a SAML provider: the URL or file path of the IdP\'s metadata']);
  if (v.issuer !== undefined) out.push(['issuer', 'does not apply to a SAML provider: its issuer is the IdP\'s entity id (SAML_IDP_ENTITY_ID, or the one in its metadata file)']);
  if (v.clientSecret !== undefined) out.push(['clientSecret', 'does not apply to a SAML provider (requests are signed with SAML_SIGNING_KEY, if at all)']);
  if (v.preset !== undefined) out.push(['preset', 'does not apply to a SAML provider (presets are for OpenID Connect providers)']);
  if ((v.samlSigningKey === undefined) !== (v.samlSigningCert === undefined)) {
    out.push([v.samlSigningKey === undefined ? 'samlSigningKey' : 'samlSigningCert', 'SAML_SIGNING_KEY and SAML_SIGNING_CERT go together (a PEM key and its certificate, or file paths to them)']);
  }
  return out;
}

/** A PEM given inline or as a path to a file holding it. */
function pem(value: unknown, what: string, report: (message: string) => void): string | undefined {
  if (value === undefined) return undefined;
  const s = String(value);
  if (s.includes('-----BEGIN')) return s.replace(/\\n/g, '\n');
  try {
    const text = readFileSync(s, 'utf8');
    if (!text.includes('-----BEGIN')) report(`${s} holds no PEM ${what}`);
    return text;
  } catch (err) {
    report(`cannot read the ${what} file ${s}: ${(err as Error).message}`);
    return undefined;
  }
}

export function samlProviderFields(
  id: string,
  v: Partial<Record<ProviderSettingKey, unknown>>,
  publicUrl: string,
  report: (key: ProviderSettingKey, message: string) => void,
): { saml: SamlSettings; issuer: string; entityId: string; acsPath: string } {
  const paths = samlPaths(id);
  const metadata = String(v.samlMetadata ?? '');
  let issuer = v.samlIdpEntityId === undefined ? '' : String(v.samlIdpEntityId);
  if (!isUrl(metadata) && metadata !== '') {
    // A metadata file is read now: a wrong path or a broken file stops the start, with its reason.
    try {
      const parsed = parseIdpMetadata(readFileSync(metadata, 'utf8'), issuer === '' ? undefined : issuer);
      issuer = parsed.entityId;
    } catch (err) {
      report('samlMetadata', err instanceof MetadataError ? `${metadata}: ${err.message}` : `cannot read ${metadata}: ${(err as Error).message}`);
    }
  } else if (metadata !== '' && issuer === '') {
    report('samlIdpEntityId', 'is required with a metadata URL: the IdP\'s entityID, so that the metadata fetched later is checked against it');
  } else if (metadata !== '' && !metadata.startsWith('https:') && !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])[:/]/i.test(metadata)) {
    report('samlMetadata', 'must use https unless the host is localhost/127.0.0.1 (the metadata carries the IdP\'s signing certificate)');
  }
  const signingKey = pem(v.samlSigningKey, 'private key', (m) => report('samlSigningKey', m));
  const signingCert = pem(v.samlSigningCert, 'certificate', (m) => report('samlSigningCert', m));
  const metadataUrl = `${publicUrl}${paths.metadata}`;
  return {
    issuer,
    entityId: v.clientId === undefined ? metadataUrl : String(v.clientId),
    acsPath: paths.acs,
    saml: {
      metadata,
      signed: (v.samlSigned as SamlSettings['signed'] | undefined) ?? 'either',
      binding: (v.samlBinding as SamlSettings['binding'] | undefined) ?? 'redirect',
      allowUnsolicited: v.samlAllowUnsolicited === true,
      signingKey, signingCert,
      metadataUrl, acsUrl: `${publicUrl}${paths.acs}`, sloUrl: `${publicUrl}${paths.slo}`,
    },
  };
}
