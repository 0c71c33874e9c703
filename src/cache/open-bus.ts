import type { Config } from '../config/index.js';
import type { Store } from '../store/index.js';
import { createLocalBus, type InvalidationBus } from './bus.js';
import type { BusLog } from './remote-link.js';
import { watchSqliteWrites } from './sqlite-watch.js';

/** How long start-up waits for a remote bus before serving anyway (caches stay bypassed until it connects). */
const CONNECT_WAIT_MS = 3000;

/**
 * The invalidation bus this deployment needs: Redis pub/sub when GATEWAY_REDIS_URL is set,
 * otherwise PostgreSQL LISTEN/NOTIFY for a PostgreSQL store, otherwise (SQLite) in-process, with
 * writes by other processes on the same file noticed through `data_version`.
 */
export async function openInvalidationBus(config: Pick<Config, 'redisUrl' | 'databaseUrl'>, store: Store, log: BusLog): Promise<InvalidationBus> {
  if (config.redisUrl !== undefined || store.kind === 'postgres') {
    // Loaded only here: ioredis and pg cost ~15 MiB of RSS and start-up time each (bench/README.md, footprint).
    const bus = config.redisUrl !== undefined
      ? (await import('./redis-bus.js')).createRedisBus(config.redisUrl, log)
      : (await import('./postgres-bus.js')).createPostgresBus(config.databaseUrl, log);
    await waitConnected(bus, CONNECT_WAIT_MS);
    if (!bus.connected) log.warn({ event: 'cache.bus_unavailable', bus: bus.kind }, `invalidation bus (${bus.kind}) not reachable yet; serving from the store without caches until it is`);
    return bus;
  }
  const bus = createLocalBus();
  const stopWatch = store.dataVersion ? watchSqliteWrites(store.dataVersion, bus.core) : () => undefined;
  return {
    kind: bus.kind,
    get connected() {
      return bus.connected;
    },
    publish: (e) => bus.publish(e),
    subscribe: (l) => bus.subscribe(l),
    async close() {
      stopWatch();
      await bus.close();
    },
  };
}

async function waitConnected(bus: InvalidationBus, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!bus.connected && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}
