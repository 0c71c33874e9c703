import type { Kysely, Selectable } from 'kysely';
import type { ResourceType } from '../policy/types.js';
import type { Tables } from './schema.js';
import type { ApiToken, TokenStore } from './types.js';

/** last_used_at is advisory: one write a minute per token keeps the request path read-only. */
const TOUCH_INTERVAL_MS = 60_000;

function toToken(r: Selectable<Tables['api_tokens']>): ApiToken {
  return {
    id: r.id, userId: r.user_id, name: r.name, secretHash: Buffer.from(r.secret_hash, 'hex'),
    createdAt: new Date(Number(r.created_at)), expiresAt: new Date(Number(r.expires_at)),
    lastUsedAt: r.last_used_at === null ? null : new Date(Number(r.last_used_at)), lastUsedIp: r.last_used_ip,
    readOnly: Number(r.read_only) === 1,
    scope: r.scope_json === null ? null : (JSON.parse(r.scope_json) as { type: ResourceType; id: string }[]),
    revokedAt: r.revoked_at === null ? null : new Date(Number(r.revoked_at)),
  };
}

export function tokenStore(db: Kysely<Tables>): TokenStore {
  return {
    async create(t) {
      await db.insertInto('api_tokens').values({
        id: t.id, user_id: t.userId, name: t.name, secret_hash: t.secretHash.toString('hex'), created_at: t.createdAt.getTime(),
        expires_at: t.expiresAt.getTime(), last_used_at: null, last_used_ip: null, read_only: t.readOnly ? 1 : 0,
        scope_json: t.scope === null ? null : JSON.stringify(t.scope), revoked_at: null,
      }).execute();
    },
    async get(id) {
      const r = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toToken(r);
    },
    async activeByName(userId, name) {
      const r = await db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).where('name', '=', name).where('revoked_at', 'is', null).executeTakeFirst();
      return r && toToken(r);
    },
    async list(opts) {
      let q = db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(opts.limit ?? 1000);
      if (opts.userId !== undefined) q = q.where('user_id', '=', opts.userId);
      if (!opts.includeRevoked) q = q.where('revoked_at', 'is', null);
      return (await q.execute()).map(toToken);
    },
    async touch(id, now, ip) {
      await db.updateTable('api_tokens').set({ last_used_at: now.getTime(), last_used_ip: ip })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', now.getTime() - TOUCH_INTERVAL_MS), eb('last_used_ip', '!=', ip ?? '')]))
        .execute();
    },
    async replaceSecret(id, secretHash, expiresAt) {
      const r = await db.updateTable('api_tokens').set({ secret_hash: secretHash.toString('hex'), expires_at: expiresAt.getTime() })
        .where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async revoke(id, now) {
      const r = await db.updateTable('api_tokens').set({ revoked_at: now.getTime() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async revokeAllForUser(userId, now) {
      const r = await db.updateTable('api_tokens').set({ revoked_at: now.getTime() }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
  };
}
