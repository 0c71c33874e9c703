// OpenID Connect Back-Channel Logout 1.0: the IdP POSTs a signed `logout_token` when a person's
// IdP session ends; the gateway ends the sessions signed in through it, on every replica.
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../config/index.js';
import { GatewayError } from '../errors/index.js';
import type { IdpSessionMatch, OneTimeIdStore } from '../store/index.js';
import { describeJoseError } from './bearer.js';
import type { ProviderEntry } from './providers/registry.js';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * How old a logout token may be (by `iat`). The IdP sends it the moment the session ends; a token
 * older than this is refused, which also bounds how long its `jti` has to be remembered.
 */
export const LOGOUT_TOKEN_MAX_AGE_SECONDS = 300;

export interface VerifiedLogout {
  readonly claims: JWTPayload;
  /** Which sessions to end: by IdP session (`sid`), by subject (`sub`), or both together. */
  readonly match: IdpSessionMatch;
}

export type LogoutTokenVerifier = (token: string) => Promise<VerifiedLogout>;

const invalid = (message: string, cause?: unknown) => new GatewayError('GW_LOGOUT_TOKEN_INVALID', message, cause === undefined ? {} : { cause });

/**
 * Validation of §2.6, in its order: a JWT signed by one of the provider's keys with an allowed
 * asymmetric algorithm (never `none`, never HMAC), `iss` exactly the provider's issuer, `aud` the
 * gateway's client id, `iat` present and recent, `exp` honoured when present, the back-channel
 * logout event, `sub` or `sid`, no `nonce` (so an ID token can never pass as a logout token), and
 * a `jti` used once across every replica (the store).
 */
export function createLogoutTokenVerifier(config: Config, entry: ProviderEntry, oneTimeIds: OneTimeIdStore): LogoutTokenVerifier {
  const p = entry.config;
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  async function keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (jwks) return jwks;
    const meta = (await entry.client.get()).serverMetadata();
    if (!meta.jwks_uri) throw new GatewayError('GW_IDP_UNAVAILABLE', `The identity provider ${p.id} publishes no jwks_uri`);
    jwks = createRemoteJWKSet(new URL(meta.jwks_uri), {
      cacheMaxAge: config.jwksCacheMaxAge * 1000,
      cooldownDuration: config.jwksCooldown * 1000,
      timeoutDuration: 5000,
    });
    return jwks;
  }

  return async (token) => {
    const keySet = await keys();
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, keySet, {
        issuer: p.issuer,
        audience: p.clientId,
        algorithms: [...p.algorithms],
        clockTolerance: config.clockSkew,
        maxTokenAge: LOGOUT_TOKEN_MAX_AGE_SECONDS,
        requiredClaims: ['iat', 'jti'],
      }));
    } catch (err) {
      if ((err instanceof joseErrors.JWTClaimValidationFailed || err instanceof joseErrors.JWTExpired) && err.claim === 'iat') throw invalid(`The logout token is too old or from the future (iat; at most ${LOGOUT_TOKEN_MAX_AGE_SECONDS} s)`, err);
      throw invalid(`The logout token is not valid: ${describeJoseError(err).replace(/^The token/, 'it')}`, err);
    }
    const events = claims.events;
    if (typeof events !== 'object' || events === null || Array.isArray(events) || !(BACKCHANNEL_LOGOUT_EVENT in events)
      || typeof (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT] !== 'object' || (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT] === null) {
      throw invalid(`The logout token lacks the events claim with ${BACKCHANNEL_LOGOUT_EVENT}`);
    }
    if ('nonce' in claims) throw invalid('The logout token carries a nonce: it is an ID token, not a logout token');
    const sub = typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : undefined;
    const sid = typeof claims.sid === 'string' && claims.sid !== '' ? claims.sid : undefined;
    if (!sub && !sid) throw invalid('The logout token names neither a subject (sub) nor an IdP session (sid)');
    if (typeof claims.jti !== 'string' || claims.jti === '' || claims.jti.length > 256) throw invalid('The logout token has no usable jti');
    const expiresAt = new Date(((claims.iat as number) + LOGOUT_TOKEN_MAX_AGE_SECONDS + config.clockSkew) * 1000);
    if (!(await oneTimeIds.use(`backchannel-logout:${p.issuer}`, claims.jti, expiresAt, new Date()))) {
      throw invalid('The logout token was used before (replayed jti)');
    }
    return {
      claims,
      match: { ...(sub ? { subjectKey: `${p.issuer}#${sub}` } : {}), ...(sid ? { sidKey: `${p.issuer}#${sid}` } : {}) },
    };
  };
}
