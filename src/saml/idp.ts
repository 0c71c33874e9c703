// The IdP side of a SAML provider as the gateway knows it: its metadata, from a URL (fetched lazily,
// kept for an hour, retried after a failure, like OIDC discovery) or a file (read at each refresh).
import { readFile } from 'node:fs/promises';
import { request } from 'undici';
import { GatewayError } from '../errors/index.js';
import { metrics } from '../metrics/index.js';
import type { OidcProvider } from '../oidc/provider.js';
import type { ProviderConfig } from '../oidc/providers/types.js';
import { isUrl } from './config.js';
import { MetadataError, parseIdpMetadata, type IdpMetadata } from './metadata.js';

/** Metadata is re-read this often: IdPs roll their signing certificates through it. */
const METADATA_TTL_MS = 60 * 60 * 1000;
const RETRY_AFTER_MS = 5_000;
const MAX_METADATA_BYTES = 1024 * 1024;

export interface SamlIdp extends OidcProvider {
  /** The IdP's metadata; throws GW_IDP_UNAVAILABLE (with the reason as detail) when it cannot be had. */
  metadata(): Promise<IdpMetadata>;
}

/** Reads and parses the metadata once, checking the entity id the configuration pins. */
export async function readIdpMetadata(source: string, entityId: string | undefined): Promise<IdpMetadata> {
  let xml: string;
  if (isUrl(source)) {
    const res = await request(source, { headersTimeout: 5000, bodyTimeout: 5000, headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' } });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new MetadataError(`${source} answered ${res.statusCode}`);
    }
    const buf = Buffer.from(await res.body.arrayBuffer());
    if (buf.length > MAX_METADATA_BYTES) throw new MetadataError(`${source} is larger than ${MAX_METADATA_BYTES} bytes`);
    xml = buf.toString('utf8');
  } else {
    xml = await readFile(source, 'utf8');
  }
  return parseIdpMetadata(xml, entityId === '' ? undefined : entityId);
}

export function createSamlIdp(config: ProviderConfig): SamlIdp {
  const source = config.saml!.metadata;
  let current: { meta: IdpMetadata; at: number } | undefined;
  let pending: Promise<IdpMetadata> | undefined;
  let lastFailure = 0;

  function load(): Promise<IdpMetadata> {
    pending ??= readIdpMetadata(source, config.issuer).then(
      (meta) => {
        current = { meta, at: Date.now() };
        lastFailure = 0;
        return meta;
      },
      (err: unknown) => {
        lastFailure = Date.now();
        metrics.idpFetchError('discovery');
        throw new GatewayError('GW_IDP_UNAVAILABLE', 'The identity provider is unreachable; try again shortly', {
          cause: err, detail: `SAML metadata of ${config.id} (${source}): ${(err as Error).message}`,
        });
      },
    ).finally(() => {
      pending = undefined;
    });
    return pending;
  }

  async function metadata(): Promise<IdpMetadata> {
    const fresh = current && Date.now() - current.at < METADATA_TTL_MS;
    if (current && fresh) return current.meta;
    if (current && Date.now() - lastFailure < RETRY_AFTER_MS) return current.meta; // stale but known: keep signing people in
    try {
      return await load();
    } catch (err) {
      if (current) return current.meta; // the IdP's metadata host is down: the certificates we had still verify
      throw err;
    }
  }

  return {
    metadata,
    ready: () => current !== undefined,
    async probe() {
      await metadata();
    },
    get() {
      // SAML providers have no OpenID configuration: whatever asks for one (a JWT naming this
      // entity id as issuer) is refused, never served by another provider's keys.
      return Promise.reject(new GatewayError('GW_INVALID_TOKEN', `${config.displayName} is a SAML identity provider and issues no JWTs`));
    },
  };
}
