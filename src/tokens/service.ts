import type { Config } from '../config/index.js';
import { GatewayError } from '../errors/index.js';
import { RESOURCE_TYPES, type ResourceType } from '../policy/index.js';
import type { ApiToken, Store, User } from '../store/index.js';
import { formatToken, hashSecret, newTokenId, newTokenSecret, parseToken, secretMatches } from './format.js';

export interface NewTokenRequest {
  readonly name: string;
  /** Lifetime in seconds; the configured default when absent, refused above the maximum. */
  readonly ttlSeconds?: number | undefined;
  readonly readOnly?: boolean | undefined;
  readonly scope?: readonly { type: ResourceType; id: string }[] | undefined;
}

/** Who does it, for the audit log. */
export interface Actor {
  readonly username: string;
  readonly requestId: string | null;
  readonly clientIp: string | null;
}

export interface VerifiedToken {
  readonly user: User;
  readonly token: ApiToken;
}

export interface TokenService {
  /** Mints a token for `owner`; the returned string is shown once and never stored. */
  create(owner: User, req: NewTokenRequest, actor: Actor): Promise<{ token: string; record: ApiToken }>;
  /** New secret, same name, id and limits; the old secret stops working at once. */
  rotate(record: ApiToken, actor: Actor): Promise<{ token: string; record: ApiToken }>;
  revoke(record: ApiToken, actor: Actor): Promise<void>;
  revokeAll(owner: User, actor: Actor): Promise<number>;
  /**
   * Checks a presented token (and, for Basic, that it belongs to `username`). Every failure is
   * GW_INVALID_TOKEN; the message says "revoked"/"expired" only once the secret has matched, so
   * it tells a guesser nothing.
   */
  verify(credential: string, opts: { username?: string; clientIp: string | null; now?: Date }): Promise<VerifiedToken>;
}

const NAME = /^[\w .:@/-]{1,100}$/;

/** The owner (user id) of the real token id a failed verification named, when it counts against them. */
const FAILED_OWNER = new WeakMap<GatewayError, string>();

/**
 * The failure-limiter keys of a failed token verification beyond the client address: the owner of
 * the token id the credential named, if that id exists (and, for Basic, belongs to the username
 * given). Never the username alone, so failures naming someone cannot be manufactured from anywhere.
 */
export function failureKeysOf(err: unknown): string[] {
  const owner = err instanceof GatewayError ? FAILED_OWNER.get(err) : undefined;
  return owner === undefined ? [] : [`token-owner:${owner}`];
}

export function createTokenService(config: Config, store: Store): TokenService {
  async function audit(actor: Actor, action: string, t: ApiToken, reason: string | null): Promise<void> {
    await store.audit.append({ time: new Date(), actor: actor.username, action, resource: `token:${t.id}`, decision: 'info', reason, requestId: actor.requestId, clientIp: actor.clientIp });
  }

  function lifetime(ttlSeconds: number | undefined): number {
    const ttl = ttlSeconds ?? config.tokenDefaultTtl;
    if (!Number.isFinite(ttl) || ttl <= 0) throw new GatewayError('GW_BAD_REQUEST', 'The token lifetime must be a positive number of days');
    if (ttl > config.tokenMaxTtl) {
      throw new GatewayError('GW_BAD_REQUEST', `The token lifetime may be at most ${Math.floor(config.tokenMaxTtl / 86400)} days (GATEWAY_TOKEN_MAX_TTL)`);
    }
    return ttl;
  }

  const invalid = (why = 'The token is not valid') =>
    new GatewayError('GW_INVALID_TOKEN', why, { headers: { 'www-authenticate': 'Bearer realm="mlflow", error="invalid_token"' } });

  return {
    async create(owner, req, actor) {
      if (!NAME.test(req.name)) throw new GatewayError('GW_BAD_REQUEST', 'A token name is 1–100 letters, digits, spaces or . _ : @ / -');
      for (const s of req.scope ?? []) {
        if (!(RESOURCE_TYPES as readonly string[]).includes(s.type) || typeof s.id !== 'string' || s.id === '') {
          throw new GatewayError('GW_BAD_REQUEST', `A token scope entry needs a type (${RESOURCE_TYPES.join(', ')}) and an id`);
        }
      }
      if (await store.tokens.activeByName(owner.id, req.name)) {
        throw new GatewayError('GW_CONFLICT', `You already have a token named '${req.name}'; revoke or rotate it, or pick another name`);
      }
      const now = new Date();
      const id = newTokenId();
      const secret = newTokenSecret();
      const record: ApiToken = {
        id, userId: owner.id, name: req.name, secretHash: hashSecret(secret), createdAt: now,
        expiresAt: new Date(now.getTime() + lifetime(req.ttlSeconds) * 1000), lastUsedAt: null, lastUsedIp: null,
        readOnly: req.readOnly === true, scope: req.scope && req.scope.length > 0 ? [...req.scope] : null, revokedAt: null,
      };
      await store.tokens.create(record);
      await audit(actor, 'token.create', record, `for ${owner.username}${record.readOnly ? ', read-only' : ''}${record.scope ? `, scoped to ${record.scope.length}` : ''}`);
      return { token: formatToken(id, secret), record };
    },

    async rotate(record, actor) {
      const secret = newTokenSecret();
      const ttl = Math.max(1, Math.min(config.tokenMaxTtl, (record.expiresAt.getTime() - record.createdAt.getTime()) / 1000));
      const expiresAt = new Date(Date.now() + ttl * 1000);
      if (!(await store.tokens.replaceSecret(record.id, hashSecret(secret), expiresAt))) throw new GatewayError('GW_NOT_FOUND', 'No such active token');
      await audit(actor, 'token.rotate', record, null);
      return { token: formatToken(record.id, secret), record: { ...record, secretHash: hashSecret(secret), expiresAt } };
    },

    async revoke(record, actor) {
      if (await store.tokens.revoke(record.id, new Date())) await audit(actor, 'token.revoke', record, null);
    },

    async revokeAll(owner, actor) {
      const n = await store.tokens.revokeAllForUser(owner.id, new Date());
      await store.audit.append({ time: new Date(), actor: actor.username, action: 'token.revoke-all', resource: `user:${owner.username}`, decision: 'info', reason: `${n} revoked`, requestId: actor.requestId, clientIp: actor.clientIp });
      return n;
    },

    async verify(credential, opts) {
      const parts = parseToken(credential);
      if (!parts) throw invalid();
      const record = await store.tokens.get(parts.id);
      if (!record) throw invalid();
      // From here the token id is real. A failure counts against its owner only when the request
      // does not name somebody else (Basic username): failures naming alice with made-up ids never
      // touch alice's account key (see failureKeysOf).
      const owner = await store.users.get(record.userId);
      const fail = (why?: string) => {
        const err = invalid(why);
        if (owner && (opts.username === undefined || opts.username === owner.username)) FAILED_OWNER.set(err, owner.id);
        return err;
      };
      if (!secretMatches(parts.secret, record.secretHash)) throw fail();
      const now = opts.now ?? new Date();
      if (record.revokedAt) throw fail('This token was revoked');
      if (record.expiresAt <= now) throw fail(`This token expired on ${record.expiresAt.toISOString()}`);
      const user = owner;
      // A Basic username that is not the token's owner is the same failure as a wrong token.
      if (!user || (opts.username !== undefined && opts.username !== user.username)) throw invalid();
      // The record in hand says whether the advisory last-use columns are stale: no write otherwise.
      const stale = !record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() >= 60_000 || record.lastUsedIp !== opts.clientIp;
      if (stale) void store.tokens.touch(record.id, now, opts.clientIp).catch(() => undefined);
      return { user, token: record };
    },
  };
}
