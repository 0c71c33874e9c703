import type { Kysely } from 'kysely';
import type { Tables } from './schema.js';

/** `fn` in a transaction: the caller's when `db` already is one (kysely does not nest them), else a new one. */
export function inTransaction<T>(db: Kysely<Tables>, fn: (trx: Kysely<Tables>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
