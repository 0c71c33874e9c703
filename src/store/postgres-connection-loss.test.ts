import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable, startPostgres, type PostgresServer } from '../../test/support/postgres.js';
import { openStore } from './open.js';
import type { Store } from './types.js';

// PostgreSQL dies while a query is in flight. pg emits 'error' on the client that query had checked
// out of the pool, which has no listener of the pool's at that moment: unhandled, that event would
// crash the whole gateway on a database outage. The query must fail (503) and the process live on.
describe.runIf(postgresAvailable())('postgres connection lost mid-query', () => {
  let server: PostgresServer;
  let store: Store;
  beforeAll(async () => {
    server = await startPostgres();
    store = await openStore(await server.createDatabase());
  });
  afterAll(async () => {
    await store?.close().catch(() => undefined);
    await server?.stop();
  });

  it('fails the in-flight query with GW_STORE_UNAVAILABLE instead of crashing, and recovers', async () => {
    await store.ping(); // a pooled connection exists
    server.pause(); // the next query is sent and never answered: it is in flight
    // Settled into a value at once: the query may fail while kill() is still running, before any
    // assertion is attached, which Node would report as an unhandled rejection.
    const inFlight = store.ping().then(() => 'answered', (err: unknown) => err);
    await new Promise((r) => setTimeout(r, 200));
    await server.kill(); // the connection under it ends
    expect(await inFlight).toMatchObject({ code: 'GW_STORE_UNAVAILABLE' });
    await server.restart();
    await expect.poll(async () => store.ping().then(() => true, () => false), { timeout: 30_000, interval: 250 }).toBe(true);
  });
});
