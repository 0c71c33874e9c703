import type { Kysely } from 'kysely';
import type { Tables } from './schema.js';
import { isUniqueViolation } from './store-errors.js';
import type { OneTimeIdStore } from './types.js';

/**
 * One-time ids on the primary key (namespace, id): two replicas racing to use the same id both
 * insert, the database lets exactly one of them commit. An expired row still present (not pruned
 * yet) is taken over by a single conditional update, so an id can be claimed again only after its
 * expiry — by then the token carrying it is refused on its dates anyway.
 */
export function oneTimeIdStore(db: Kysely<Tables>): OneTimeIdStore {
  return {
    async use(namespace, id, expiresAt, now) {
      try {
        await db.insertInto('one_time_ids').values({ namespace, id, expires_at: expiresAt.getTime() }).execute();
        return true;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      const r = await db.updateTable('one_time_ids').set({ expires_at: expiresAt.getTime() })
        .where('namespace', '=', namespace).where('id', '=', id).where('expires_at', '<=', now.getTime())
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    // Expected ids live in a namespace of their own (`<namespace>#expected`), so an id someone
    // expects can never be mistaken for one someone used, and `prune` forgets both alike.
    async expect(namespace, id, expiresAt) {
      try {
        await db.insertInto('one_time_ids').values({ namespace: `${namespace}#expected`, id, expires_at: expiresAt.getTime() }).execute();
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    },
    async isExpected(namespace, id, now) {
      const row = await db.selectFrom('one_time_ids').select('id')
        .where('namespace', '=', `${namespace}#expected`).where('id', '=', id).where('expires_at', '>', now.getTime())
        .executeTakeFirst();
      return row !== undefined;
    },
    async consume(namespace, id, now) {
      // One DELETE: two replicas racing for the same id cannot both see a deleted row.
      const r = await db.deleteFrom('one_time_ids')
        .where('namespace', '=', `${namespace}#expected`).where('id', '=', id).where('expires_at', '>', now.getTime())
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    async prune(now) {
      const r = await db.deleteFrom('one_time_ids').where('expires_at', '<=', now.getTime()).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
