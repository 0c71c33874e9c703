// `config check` for a SAML provider: its metadata is reachable, parses, names the configured
// entity id and carries a signing certificate that is a valid X.509 certificate (and not expired).
import { X509Certificate } from 'node:crypto';
import type { ProviderConfig } from '../oidc/providers/types.js';
import { readIdpMetadata } from './idp.js';
import { certToPem } from './metadata.js';

export async function checkSamlMetadata(p: ProviderConfig): Promise<{ ok: boolean; text: string }> {
  const source = p.saml!.metadata;
  try {
    const meta = await readIdpMetadata(source, p.issuer);
    const certs = meta.signingCerts.map((b64) => new X509Certificate(certToPem(b64)));
    const now = Date.now();
    const valid = certs.filter((c) => Date.parse(c.validFrom) <= now && now < Date.parse(c.validTo));
    if (valid.length === 0) {
      return { ok: false, text: `SAML metadata ${source}: entity id ${meta.entityId}, but none of its ${certs.length} signing certificate(s) is valid now (${certs.map((c) => `until ${c.validTo}`).join(', ')})` };
    }
    const soonest = valid.map((c) => c.validTo).sort((a, b) => Date.parse(a) - Date.parse(b))[0];
    return {
      ok: true,
      text: `SAML ${meta.entityId} (metadata ${source}; ${valid.length} signing certificate(s), valid until ${soonest}; sign-in ${meta.ssoRedirect ? 'HTTP-Redirect' : 'HTTP-POST'}; single logout ${meta.sloUrl ? 'ok' : 'not offered'})`,
    };
  } catch (err) {
    return { ok: false, text: `SAML metadata ${source} — ${(err as Error).message}` };
  }
}
