import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { GatewayError } from '../errors/index.js';
import { createKyselyStore } from './kysely-store.js';
import type { Tables } from './schema.js';
import type { Store } from './types.js';

export interface OpenStoreOptions {
  /** Most connections one process holds to PostgreSQL (ignored for SQLite). */
  poolSize?: number;
}

/** Opens the store named by GATEWAY_DATABASE_URL and brings its schema up to date. */
export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<Store> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    const file = path === ':memory:' ? ':memory:' : resolve(path);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const sqlite = new Database(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const store = await createKyselyStore(new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }), 'sqlite');
    const dataVersion = sqlite.prepare('PRAGMA data_version').pluck();
    return { ...store, dataVersion: () => Number(dataVersion.get()) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    // pg is loaded only for a PostgreSQL store (a SQLite deployment never pays for it).
    const { openPostgres } = await import('./postgres.js');
    return createKyselyStore(openPostgres(url, opts.poolSize ?? 10), 'postgres');
  }
  throw new GatewayError('GW_CONFIG_INVALID', `GATEWAY_DATABASE_URL must start with sqlite: or postgres:// (got a ${url.split(':')[0]}: URL)`);
}

/**
 * Kysely prepares every query anew, and preparing was the largest single cost on the request
 * path (profiled: ~11% of gateway CPU). The gateway runs a small, fixed set of query shapes, so
 * statements are kept by their SQL text (bounded; SQLite re-prepares them itself after a schema
 * change). Safe because kysely runs each statement to completion synchronously.
 */
function withStatementCache(db: Database.Database, max = 500): Database.Database {
  const cache = new Map<string, Database.Statement>();
  const prepare = (source: string): Database.Statement => {
    let stmt = cache.get(source);
    if (!stmt) {
      stmt = db.prepare(source);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(source, stmt);
    }
    return stmt;
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
