import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config/index.js';
import { admittedIdentity } from '../oidc/identity.js';
import { isGrantRevoked, refreshTokens, type TokenSet } from '../oidc/login-flow.js';
import type { Providers } from '../oidc/providers/registry.js';
import type { Store, User } from '../store/index.js';
import type { Sealer } from './seal.js';
import { metrics } from '../metrics/index.js';
import { mintSessionToken, parseSessionToken, secretMatches } from './token.js';
import { scimSignIn } from '../scim/sign-in.js';

/** IdP tokens kept (encrypted) with a session, for refresh and RP-initiated logout. */
interface SealedTokens {
  /** The provider that issued them; absent in sessions made before several providers existed (the default one). */
  provider?: string | undefined;
  refreshToken?: string | undefined;
  idToken?: string | undefined;
  claims: Record<string, unknown>;
}

export interface ResolvedSession {
  readonly sessionId: string;
  readonly user: User;
  readonly idToken: string | undefined;
  /** Id of the provider the session was signed in with. */
  readonly provider: string;
  /** `<issuer>#<sid>` of the IdP session it came from (null: the IdP sent no `sid`). */
  readonly idpSid: string | null;
  /** The claims the session was signed in (or last refreshed) with; a SAML session's NameID and SessionIndex for single logout. */
  readonly claims: Record<string, unknown>;
}

/** Refresh this long before the IdP access token expires, so a session never carries stale groups. */
const REFRESH_MARGIN_MS = 60_000;
/** How long a session waits before retrying a refresh the IdP did not answer. */
const REFRESH_BACKOFF_MS = 30_000;

export interface SessionManager {
  /** Starts a brand-new session (new id: no fixation) and returns the cookie token. */
  create(user: User, tokens: TokenSet, meta: { ip: string | null; userAgent: string | null }): Promise<string>;
  /** Validates a cookie token; refreshes IdP tokens when due; undefined when the session is gone. */
  resolve(token: string, log: FastifyBaseLogger): Promise<ResolvedSession | undefined>;
  destroy(sessionId: string): Promise<void>;
}

export function createSessionManager(config: Config, store: Store, providers: Providers, sealer: Sealer): SessionManager {
  const refreshing = new Map<string, Promise<boolean>>();
  /** After a failed (unreachable IdP) refresh, requests skip refreshing for a while instead of each waiting on the IdP. */
  const backoffUntil = new Map<string, number>();

  function sealTokens(tokens: TokenSet): string {
    const value: SealedTokens = { provider: tokens.provider, refreshToken: tokens.refreshToken, idToken: tokens.idToken, claims: tokens.claims };
    return sealer.seal(value);
  }

  /** Single-flight per session: concurrent requests share one refresh. Returns false if the session ended. */
  async function refresh(sessionId: string, sealed: SealedTokens, log: FastifyBaseLogger): Promise<boolean> {
    if (!sealed.refreshToken) return true; // nothing to refresh with; the session lives to its max age
    const provider = providers.get(sealed.provider ?? providers.default.config.id);
    if (!provider) {
      // The provider was removed from the configuration: its sessions end (fail closed).
      log.info({ event: 'session.refresh_rejected', reason: `provider ${sealed.provider} is no longer configured` }, 'session of a removed provider ended');
      await store.sessions.delete(sessionId);
      return false;
    }
    try {
      const tokens = await refreshTokens(provider, sealed.refreshToken, sealed.claims);
      // Group sync: the provider's current groups replace the stored ones, also when they no longer
      // allow the user in: then the session ends here, and the stored groups stop the user's
      // personal tokens too (they are checked against the groups as last seen).
      const identity = await admittedIdentity(provider.config, tokens.claims, store.users, scimSignIn(config));
      await store.users.upsertOnLogin(identity, new Date());
      await store.sessions.updateTokens(sessionId, sealTokens(tokens), tokens.expiresAt);
      return true;
    } catch (err) {
      // Refused for good (grant revoked, no longer allowed, groups overage unreadable): end the session (fail closed).
      if (isGrantRevoked(err) || ['GW_FORBIDDEN_GROUP', 'GW_FORBIDDEN_DOMAIN', 'GW_INVALID_TOKEN', 'GW_LOGIN_FAILED'].includes((err as { code?: string }).code ?? '')) {
        log.info({ event: 'session.refresh_rejected', reason: (err as Error).message }, 'IdP refused the refresh; session ended');
        await store.sessions.delete(sessionId);
        return false;
      }
      // IdP unreachable: keep the session (resilience); try again on a later request.
      metrics.idpFetchError('token_refresh');
      log.warn({ event: 'session.refresh_failed', reason: (err as Error).message }, 'token refresh failed; keeping session');
      if (backoffUntil.size >= 10_000) backoffUntil.delete(backoffUntil.keys().next().value as string);
      backoffUntil.set(sessionId, Date.now() + REFRESH_BACKOFF_MS);
      return true;
    }
  }

  return {
    async create(user, tokens, meta) {
      const minted = mintSessionToken();
      const now = new Date();
      await store.sessions.create(
        {
          id: minted.id, secretHash: minted.secretHash, userId: user.id,
          expiresAt: new Date(now.getTime() + config.sessionMaxAge * 1000),
          tokensSealed: sealTokens(tokens), idpExpiresAt: tokens.expiresAt, ip: meta.ip, userAgent: meta.userAgent?.slice(0, 300) ?? null,
          ...idpSessionKeys(tokens.claims),
        },
        now,
      );
      return minted.token;
    },

    async resolve(token, log) {
      const parsed = parseSessionToken(token);
      if (!parsed) return undefined;
      let session = await store.sessions.get(parsed.id);
      if (!session || !secretMatches(parsed.secret, session.secretHash)) return undefined;
      const now = Date.now();
      if (session.expiresAt.getTime() <= now || session.lastSeenAt.getTime() + config.sessionIdleTimeout * 1000 <= now) {
        await store.sessions.delete(session.id);
        return undefined;
      }
      const due = session.idpExpiresAt !== null && session.idpExpiresAt.getTime() - REFRESH_MARGIN_MS <= now;
      // The sealed IdP tokens are decrypted only when needed (a refresh, or a caller reading
      // idToken at logout), not on every request the session authenticates.
      const sealed = due && session.tokensSealed ? sealer.open<SealedTokens>(session.tokensSealed) : undefined;
      if (sealed && (backoffUntil.get(session.id) ?? 0) <= now) {
        let pending = refreshing.get(session.id);
        if (!pending) {
          pending = refresh(session.id, sealed, log).finally(() => refreshing.delete(session!.id));
          refreshing.set(session.id, pending);
        }
        if (!(await pending)) return undefined;
        session = (await store.sessions.get(parsed.id)) ?? session;
      }
      const user = await store.users.get(session.userId);
      if (!user) return undefined;
      // Idle expiry only needs minute precision: skip the write while last_seen_at is fresh.
      if (now - session.lastSeenAt.getTime() >= 60_000) await store.sessions.touch(session.id, new Date(now));
      const latestSealed = session.tokensSealed;
      let opened: SealedTokens | undefined;
      const open = (): SealedTokens => (opened ??= (latestSealed ? sealer.open<SealedTokens>(latestSealed) : undefined) ?? { claims: {} });
      return {
        sessionId: session.id,
        user,
        idpSid: session.idpSid,
        get idToken() {
          return open().idToken;
        },
        get provider() {
          return open().provider ?? providers.default.config.id;
        },
        get claims() {
          return open().claims;
        },
      };
    },

    async destroy(sessionId) {
      await store.sessions.delete(sessionId);
    },
  };
}

/**
 * What a back-channel logout token may name this session by: the verified ID token's issuer with
 * its `sub` and its `sid` (OpenID Connect Back-Channel Logout 1.0 §2.1). Keys carry the issuer, so
 * one IdP can never name another's sessions.
 */
export function idpSessionKeys(claims: Record<string, unknown>): { idpSubject: string | null; idpSid: string | null } {
  const iss = typeof claims.iss === 'string' && claims.iss !== '' ? claims.iss : undefined;
  const key = (v: unknown) => (iss && typeof v === 'string' && v !== '' && v.length <= 512 ? `${iss}#${v}` : null);
  return { idpSubject: key(claims.sub), idpSid: key(claims.sid) };
}
