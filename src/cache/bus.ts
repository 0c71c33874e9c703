import { randomUUID } from 'node:crypto';
import type { Invalidation } from './events.js';

/**
 * How caches learn that the store changed. `publish` reaches this process's caches before it
 * returns (so a change is enforced here at once) and then every other replica.
 *
 * `connected` is the safety switch: while it is false a replica may be missing invalidations from
 * the others, so caches must not answer from memory. The bus tells its subscribers `all` whenever
 * the link drops and again when it is back (whatever was published meanwhile was lost).
 */
export interface InvalidationBus {
  readonly kind: 'local' | 'redis' | 'postgres';
  readonly connected: boolean;
  publish(event: Invalidation): Promise<void>;
  subscribe(listener: (event: Invalidation) => void): () => void;
  close(): Promise<void>;
}

/** The part every bus shares: local fan-out and the connected switch. */
export interface BusCore {
  /** Random per process: a replica ignores its own messages echoed back by Redis/PostgreSQL. */
  readonly origin: string;
  readonly connected: boolean;
  deliver(event: Invalidation): void;
  setConnected(connected: boolean): void;
  subscribe(listener: (event: Invalidation) => void): () => void;
}

export function createBusCore(initiallyConnected: boolean, onListenerError: (err: unknown) => void = () => undefined): BusCore {
  const listeners = new Set<(event: Invalidation) => void>();
  let connected = initiallyConnected;
  const deliver = (event: Invalidation) => {
    for (const l of listeners) {
      try {
        l(event);
      } catch (err) {
        onListenerError(err);
      }
    }
  };
  return {
    origin: randomUUID(),
    get connected() {
      return connected;
    },
    deliver,
    setConnected(next) {
      if (next === connected) return;
      // Order matters on the way down: stop serving from memory first, then flush. On the way up:
      // flush first (entries written by a read racing the outage), then serve again.
      if (!next) {
        connected = false;
        deliver({ kind: 'all' });
      } else {
        deliver({ kind: 'all' });
        connected = true;
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** One replica (SQLite, or PostgreSQL without any other replica): invalidations stay in the process. */
export function createLocalBus(): InvalidationBus & { readonly core: BusCore } {
  const core = createBusCore(true);
  return {
    kind: 'local',
    core,
    get connected() {
      return core.connected;
    },
    async publish(event) {
      core.deliver(event);
    },
    subscribe: (l) => core.subscribe(l),
    async close() {},
  };
}
