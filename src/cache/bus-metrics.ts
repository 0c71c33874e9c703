import { Gauge } from 'prom-client';
import { registry } from '../metrics/index.js';
import type { InvalidationBus } from './bus.js';

// One series for the process (a test process may hold several gateways): 1 while every open
// remote invalidation bus is connected, 0 while one of them is not (its caches are bypassed).
const buses = new Set<InvalidationBus>();
new Gauge({
  name: 'gateway_invalidation_bus_connected',
  help: 'Whether the cross-replica invalidation bus (Redis or PostgreSQL) is connected; 0: caches are bypassed.',
  registers: [registry],
  collect() {
    this.set([...buses].every((b) => b.connected) ? 1 : 0);
  },
});

/** Reports `bus` in the gauge until `untrack` is called (on close). */
export function trackBus(bus: InvalidationBus): () => void {
  if (bus.kind === 'local') return () => undefined;
  buses.add(bus);
  return () => void buses.delete(bus);
}
