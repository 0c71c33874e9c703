import { createHash } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, customFetch, decodeJwt, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { Config } from '../config/index.js';
import { GatewayError } from '../errors/index.js';
import type { ProviderEntry, Providers } from './providers/registry.js';
import { metrics } from '../metrics/index.js';
import { TtlCache } from '../cache/ttl-cache.js';

/**
 * When the IdP cannot be reached to refresh its keys, the last keys it published stay trusted
 * for this long after the last successful fetch (stale-if-error), so JWTs keep working through
 * an IdP outage. A key the IdP has actually withdrawn is dropped at the next successful fetch.
 */
const STALE_IF_ERROR_MS = 24 * 3600_000;

/**
 * Verifies bearer JWTs from any configured provider. The token's (unverified) `iss` only picks
 * the provider; everything is then checked against that provider alone: signature against its
 * JWKS (cached, refetched when an unknown `kid` appears, at most once per cooldown), its
 * asymmetric algorithm allow-list, `iss`, its audiences, `exp` (required), `nbf`, with the
 * configured clock skew. A token of provider B carrying A's audience is checked against B's.
 */
export interface VerifiedBearer {
  readonly claims: JWTPayload;
  readonly provider: ProviderEntry;
}

export interface BearerVerifier {
  verify(token: string): Promise<VerifiedBearer>;
  /**
   * The token when it verified before and has not expired (the cache of `verify`), else undefined.
   * A hit proves the token is one of the configured providers' (it verified against one), so the
   * caller skips decoding it again to see whose it is: one hash and one map lookup per request.
   */
  cached(token: string): VerifiedBearer | undefined;
}

const INVALID = { 'www-authenticate': 'Bearer error="invalid_token"' };

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token);
}

/**
 * `cacheTtlMs`: a token that verified is remembered (by its SHA-256, never the token itself) until
 * it expires or for this long, whichever is sooner; a signature check costs far more than a hash.
 * A JWT cannot be revoked at the gateway, so no event ever needs to reach this cache; whether its
 * user is still enabled is checked on every request after verification.
 */
export function createBearerVerifier(config: Config, providers: Providers, cacheTtlMs = 0): BearerVerifier {
  const verifiers = new Map(providers.all.map((p) => [p.config.id, providerVerifier(config, p)]));
  const verified = new TtlCache<VerifiedBearer>(cacheTtlMs, 10_000);
  const digestOf = (token: string) => createHash('sha256').update(token).digest('base64url');
  return {
    cached(token) {
      if (cacheTtlMs <= 0) return undefined;
      const known = verified.get(digestOf(token));
      // Misses are counted by verify(), which the caller asks next.
      if (known) metrics.cacheLookup('jwt', true);
      return known;
    },
    async verify(token) {
      if (!looksLikeJwt(token)) throw new GatewayError('GW_INVALID_TOKEN', 'The bearer token is not a JWT or a gateway token');
      const digest = cacheTtlMs > 0 ? digestOf(token) : '';
      const known = cacheTtlMs > 0 ? verified.get(digest) : undefined;
      if (cacheTtlMs > 0) metrics.cacheLookup('jwt', known !== undefined);
      if (known) return known;
      let iss: unknown;
      try {
        iss = decodeJwt(token).iss;
      } catch (err) {
        throw new GatewayError('GW_INVALID_TOKEN', describeJoseError(err), { cause: err, headers: INVALID });
      }
      const provider = typeof iss === 'string' ? providers.byIssuer(iss) : undefined;
      if (!provider) throw new GatewayError('GW_INVALID_TOKEN', 'The token was issued by an untrusted issuer', { headers: INVALID });
      // GitHub sign-in is OAuth 2.0 without JWTs: nothing GitHub-issued can be verified here.
      if (provider.config.kind !== 'oidc') throw new GatewayError('GW_INVALID_TOKEN', `${provider.config.displayName} issues no JWTs; use a personal access token`, { headers: INVALID });
      const claims = await verifiers.get(provider.config.id)!(token);
      // Until `exp` exactly (no clock tolerance): the cache never stretches a token's life.
      if (cacheTtlMs > 0) verified.set(digest, { claims, provider }, (claims.exp as number) * 1000);
      return { claims, provider };
    },
  };
}

/** Verification against one provider, with its own key cache and stale-if-error state. */
function providerVerifier(config: Config, entry: ProviderEntry): (token: string) => Promise<JWTPayload> {
  const provider = entry.client;
  const p = entry.config;
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  let fetchFailures = 0;
  let lastFetched = 0;
  let stale: { source: JSONWebKeySet; keys: ReturnType<typeof createLocalJWKSet> } | undefined;

  // jose's fetch, counted: a failure is an IdP fetch error, a success dates the keys we hold.
  const countedFetch = async (url: string, init: Parameters<typeof fetch>[1]): Promise<Response> => {
    try {
      const res = await fetch(url, init);
      if (res.ok) lastFetched = Date.now();
      else (fetchFailures++, metrics.idpFetchError('jwks'));
      return res;
    } catch (err) {
      fetchFailures++;
      metrics.idpFetchError('jwks');
      throw err;
    }
  };

  async function keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (jwks) return jwks;
    const meta = (await provider.get()).serverMetadata();
    if (!meta.jwks_uri) throw new GatewayError('GW_IDP_UNAVAILABLE', `The identity provider ${p.id} publishes no jwks_uri`);
    jwks = createRemoteJWKSet(new URL(meta.jwks_uri), {
      cacheMaxAge: config.jwksCacheMaxAge * 1000,
      cooldownDuration: config.jwksCooldown * 1000,
      timeoutDuration: 5000,
      [customFetch]: countedFetch,
    });
    return jwks;
  }

  return async (token) => {
    const keySet = await keys();
    const options: JWTVerifyOptions = {
      issuer: p.issuer,
      audience: [...p.audience],
      algorithms: [...p.algorithms],
      clockTolerance: config.clockSkew,
      requiredClaims: ['exp', 'sub'],
    };
    const failuresBefore = fetchFailures;
    try {
      const { payload } = await jwtVerify(token, keySet, options);
      return payload;
    } catch (first) {
      let err = first;
      // The keys could not be refreshed (IdP down): verify against the last keys it published.
      const held = keySet.jwks();
      if (fetchFailures !== failuresBefore && held && Date.now() - lastFetched < STALE_IF_ERROR_MS) {
        if (stale?.source !== held) stale = { source: held, keys: createLocalJWKSet(held) };
        try {
          return (await jwtVerify(token, stale.keys, options)).payload;
        } catch (second) {
          err = second;
        }
      }
      throw new GatewayError('GW_INVALID_TOKEN', describeJoseError(err), { cause: err, headers: INVALID });
    }
  };
}

/** A precise reason for the client; never includes the token itself. */
export function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'The token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return 'The token is not valid yet (nbf)';
    if (err.claim === 'iss') return 'The token was issued by an untrusted issuer';
    if (err.claim === 'aud') return 'The token is not meant for this gateway (audience mismatch)';
    return `The token's ${err.claim} claim is invalid (${err.reason})`;
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'The token is signed with an algorithm that is not allowed';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'The token is signed with an unknown key (kid)';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'The token signature is invalid';
  if (err instanceof joseErrors.JWKSTimeout) return 'The identity provider did not return its signing keys in time';
  if (err instanceof joseErrors.JOSEError) return `The token is invalid (${err.code})`;
  return 'The token is invalid';
}
