import { createBusCore, type BusCore, type InvalidationBus } from './bus.js';
import { decodeInvalidation, encodeInvalidation, type Invalidation } from './events.js';

export interface BusLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** What a remote transport (Redis pub/sub, PostgreSQL LISTEN/NOTIFY) supplies to the shared bus logic. */
export interface Transport {
  /** Sends one encoded message to every replica; rejects when the link is down. */
  send(message: string): Promise<void>;
  close(): Promise<void>;
}

/** Messages not yet sent when the link was down; past this many, one `all` replaces them. */
const MAX_PENDING = 1000;

/**
 * The bus over a remote transport. The transport calls `received` for each message and
 * `linkUp`/`linkDown` as its listening connection comes and goes; while down, caches stand aside
 * (the core flushes them on both edges). A message that cannot be sent is kept and sent when the
 * link is back, so a replica that stayed connected to Redis/PostgreSQL still hears it.
 */
export function createRemoteBus(kind: 'redis' | 'postgres', log: BusLog) {
  const core: BusCore = createBusCore(false, (err) => log.warn({ event: 'cache.listener_error', err }, 'cache listener failed'));
  let pending: Invalidation[] = [];
  let transport: Transport | undefined;
  let flushing: Promise<void> | undefined;

  async function flushPending(): Promise<void> {
    while (transport && pending.length > 0) {
      const next = pending[0]!;
      try {
        await transport.send(encodeInvalidation(core.origin, next));
        pending.shift();
      } catch {
        return; // still down: kept for the next linkUp
      }
    }
  }

  function drain(): Promise<void> {
    flushing ??= flushPending().finally(() => (flushing = undefined));
    return flushing;
  }

  const bus: InvalidationBus & {
    readonly core: BusCore;
    attach(t: Transport): void;
    received(message: string): void;
    linkUp(): void;
    linkDown(reason: string): void;
    /** The sending side is back: try the queued messages now. */
    retrySend(): void;
  } = {
    kind,
    core,
    get connected() {
      return core.connected;
    },
    async publish(event) {
      core.deliver(event);
      if (!transport) return;
      pending.push(event);
      if (pending.length > MAX_PENDING) pending = [{ kind: 'all' }];
      await drain();
      // A publish that joined a flush just as it finished is still queued: one more pass sends it.
      if (pending.length > 0) await drain();
    },
    subscribe: (l) => core.subscribe(l),
    async close() {
      const t = transport;
      transport = undefined;
      core.setConnected(false);
      await t?.close();
    },
    attach(t) {
      transport = t;
    },
    received(message) {
      const { origin, event } = decodeInvalidation(message);
      if (origin !== core.origin) core.deliver(event);
    },
    linkUp() {
      if (!core.connected) log.info({ event: 'cache.bus_connected', bus: kind }, `invalidation bus (${kind}) connected; caches on`);
      core.setConnected(true);
      void drain();
    },
    retrySend() {
      void drain();
    },
    linkDown(reason) {
      if (core.connected) log.warn({ event: 'cache.bus_disconnected', bus: kind, reason }, `invalidation bus (${kind}) lost; caches flushed and bypassed until it is back`);
      core.setConnected(false);
    },
  };
  return bus;
}
