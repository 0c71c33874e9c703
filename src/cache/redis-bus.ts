import { Redis } from 'ioredis';
import { createRemoteBus, type BusLog } from './remote-link.js';

export const REDIS_CHANNEL = 'mlflow-oidc-gateway:invalidate';
/** How often the listening connection is pinged: a silently dead link is noticed within about this. */
const PING_MS = 1000;

/**
 * Invalidations over Redis pub/sub: one connection listens, one publishes. ioredis reconnects by
 * itself; every time the listening connection is (re)subscribed the caches come back on, and
 * whenever it closes or stops answering pings they are flushed and bypassed.
 */
export function createRedisBus(url: string, log: BusLog) {
  const bus = createRemoteBus('redis', log);
  const options = {
    lazyConnect: true,
    connectTimeout: 2000,
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 1000),
    // Commands fail at once while disconnected instead of queueing (the bus keeps its own queue).
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResubscribe: false,
  };
  const listener = new Redis(url, { ...options, connectionName: 'gateway-invalidation-listener' });
  const publisher = new Redis(url, { ...options, connectionName: 'gateway-invalidation-publisher' });

  listener.on('message', (channel: string, message: string) => {
    if (channel === REDIS_CHANNEL) bus.received(message);
  });
  listener.on('ready', () => {
    listener.subscribe(REDIS_CHANNEL).then(() => bus.linkUp(), (err: Error) => {
      bus.linkDown(`subscribe failed: ${err.message}`);
      listener.disconnect(true);
    });
  });
  listener.on('close', () => bus.linkDown('connection closed'));
  listener.on('error', (err: Error) => bus.linkDown(err.message));
  // Redis errors are reported through the bus's state; without a listener ioredis would print them.
  publisher.on('error', () => undefined);
  publisher.on('ready', () => bus.retrySend());

  let pingTimer: NodeJS.Timeout | undefined = setInterval(() => {
    if (listener.status !== 'ready') return;
    const timeout = setTimeout(() => {
      bus.linkDown('ping timed out');
      listener.disconnect(true);
    }, PING_MS * 2);
    listener.ping().then(() => clearTimeout(timeout), () => clearTimeout(timeout));
  }, PING_MS);
  pingTimer.unref();

  bus.attach({
    async send(message) {
      await publisher.publish(REDIS_CHANNEL, message);
    },
    async close() {
      if (pingTimer) clearInterval(pingTimer);
      pingTimer = undefined;
      listener.disconnect(false);
      publisher.disconnect(false);
    },
  });
  void listener.connect().catch(() => undefined);
  void publisher.connect().catch(() => undefined);
  return bus;
}
