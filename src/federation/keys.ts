// Signing keys of workload issuers. Only issuers named by a trust rule are ever contacted (an
// unknown `iss` is refused before any fetch), so a caller cannot make the gateway fetch a URL.
import { createRemoteJWKSet } from 'jose';
import type { Config } from '../config/index.js';
import { isLoopbackUrl } from '../config/index.js';
import { GatewayError } from '../errors/index.js';

export type KeySet = ReturnType<typeof createRemoteJWKSet>;

const FETCH_TIMEOUT_MS = 5000;
/** After a failed discovery, callers get the same answer for this long instead of a new fetch each. */
const RETRY_AFTER_MS = 5000;
const MAX_ENTRIES = 1000;

export interface IssuerKeys {
  /** The key set of a rule: its JWKS URL, or the one the issuer's discovery document names. */
  forRule(issuer: string, jwksUrl: string | null): Promise<KeySet>;
}

export function createIssuerKeys(config: Config): IssuerKeys {
  const sets = new Map<string, KeySet>();
  const discovered = new Map<string, { jwksUri?: string; failed?: string; at: number }>();

  function keySet(url: string): KeySet {
    let set = sets.get(url);
    if (!set) {
      if (sets.size >= MAX_ENTRIES) sets.delete(sets.keys().next().value as string);
      set = createRemoteJWKSet(new URL(url), {
        cacheMaxAge: config.jwksCacheMaxAge * 1000, cooldownDuration: config.jwksCooldown * 1000, timeoutDuration: FETCH_TIMEOUT_MS,
      });
      sets.set(url, set);
    }
    return set;
  }

  async function discover(issuer: string): Promise<string> {
    const cached = discovered.get(issuer);
    const now = Date.now();
    if (cached?.jwksUri && now - cached.at < config.jwksCacheMaxAge * 1000) return cached.jwksUri;
    if (cached?.failed && now - cached.at < RETRY_AFTER_MS) throw unreachable(issuer, cached.failed);
    try {
      const jwksUri = await fetchJwksUri(issuer);
      if (discovered.size >= MAX_ENTRIES) discovered.delete(discovered.keys().next().value as string);
      discovered.set(issuer, { jwksUri, at: now });
      return jwksUri;
    } catch (err) {
      const why = (err as Error).message;
      discovered.set(issuer, { failed: why, at: now });
      throw unreachable(issuer, why);
    }
  }

  return {
    async forRule(issuer, jwksUrl) {
      return keySet(jwksUrl ?? (await discover(issuer)));
    },
  };
}

async function fetchJwksUri(issuer: string): Promise<string> {
  const res = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, {
    headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`discovery answered HTTP ${res.status}`);
  const meta = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
  // OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for.
  if (meta.issuer !== issuer) throw new Error(`discovery names issuer ${JSON.stringify(meta.issuer)}, not ${issuer}`);
  const uri = meta.jwks_uri;
  if (typeof uri !== 'string' || !URL.canParse(uri)) throw new Error('discovery has no jwks_uri');
  if (new URL(uri).protocol !== 'https:' && !isLoopbackUrl(uri)) throw new Error('jwks_uri must use https');
  return uri;
}

function unreachable(issuer: string, why: string): GatewayError {
  return new GatewayError('GW_IDP_UNAVAILABLE', `The signing keys of workload issuer ${issuer} could not be fetched; try again shortly`, { detail: why });
}
