import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Tables } from './schema.js';

/** int8 (bigint): epoch milliseconds and audit sequence numbers, all far below 2^53. */
const INT8_OID = 20;

/**
 * A kysely over a pg pool. The pool opens connections on demand, so a database that went away
 * and came back is used again without a restart; a lost idle connection is dropped by the pool.
 */
export function openPostgres(url: string, poolSize: number): Kysely<Tables> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    application_name: 'mlflow-oidc-gateway',
    // A database that does not answer must fail the request (503) rather than hold it.
    connectionTimeoutMillis: 5_000,
    // …and so must one that stops answering mid-query (a partition, not a refused connection).
    // The gateway's queries are small; none legitimately runs this long.
    query_timeout: 15_000,
    keepAlive: true,
    idleTimeoutMillis: 30_000,
    // pg returns int8 as a string (it may exceed 2^53); the gateway's int8 columns never do, and
    // the row types (schema.ts) say number, as SQLite returns them.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection whose server went away (restart, failover) emits 'error' on the pool; without
  // a listener that would crash the process. The pool has already dropped it; the next query reconnects.
  pool.on('error', () => undefined);
  // A connection that dies while a query has it checked out (the pool's idle listener is off then)
  // emits 'error' on the client itself: the query already fails with it (503) and the pool drops the
  // client on release, but an unheard 'error' event would crash the process. Regression test:
  // postgres-connection-loss.test.ts.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
}
