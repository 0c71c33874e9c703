import pg from 'pg';
import { createRemoteBus, type BusLog } from './remote-link.js';

export const PG_CHANNEL = 'gateway_invalidate';
const PING_MS = 1000;
const RECONNECT_MAX_MS = 1000;

/**
 * Invalidations over PostgreSQL LISTEN/NOTIFY, for replicas sharing a database without Redis. One
 * dedicated connection (outside the store's pool: a pooled connection cannot hold a LISTEN) both
 * listens and notifies. When it breaks or stops answering, caches are flushed and bypassed, and it
 * reconnects with a short back-off.
 */
export function createPostgresBus(connectionString: string, log: BusLog) {
  const bus = createRemoteBus('postgres', log);
  let client: pg.Client | undefined;
  let closed = false;
  let attempt = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;

  function lost(c: pg.Client, reason: string): void {
    if (client !== c) return;
    client = undefined;
    bus.linkDown(reason);
    c.end().catch(() => undefined);
    schedule();
  }

  function schedule(): void {
    if (closed || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void connect();
    }, Math.min(100 * ++attempt, RECONNECT_MAX_MS));
    reconnectTimer.unref();
  }

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString, connectionTimeoutMillis: 2000, application_name: 'gateway-invalidation' });
    c.on('error', (err) => lost(c, err.message));
    c.on('end', () => lost(c, 'connection ended'));
    c.on('notification', (n) => {
      if (n.channel === PG_CHANNEL && n.payload !== undefined) bus.received(n.payload);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${PG_CHANNEL}`);
    } catch (err) {
      c.end().catch(() => undefined);
      bus.linkDown((err as Error).message);
      schedule();
      return;
    }
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    attempt = 0;
    bus.linkUp();
  }

  let pinging = false;
  const pingTimer = setInterval(() => {
    const c = client;
    if (!c || pinging) return;
    pinging = true;
    const timeout = setTimeout(() => lost(c, 'ping timed out'), PING_MS * 2);
    c.query('SELECT 1').then(
      () => clearTimeout(timeout),
      (err: Error) => {
        clearTimeout(timeout);
        lost(c, err.message);
      },
    ).finally(() => (pinging = false));
  }, PING_MS);
  pingTimer.unref();

  bus.attach({
    async send(message) {
      if (!client) throw new Error('invalidation listener is not connected');
      await client.query('SELECT pg_notify($1, $2)', [PG_CHANNEL, message]);
    },
    async close() {
      closed = true;
      clearInterval(pingTimer);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  });
  void connect();
  return bus;
}
