import { buildServer, type GatewayServer } from '../server/app.js';
import type { Config } from '../config/index.js';
import { BODY_COST_FACTOR } from '../pipeline/memory-budget.js';

/** Starts the gateway and wires SIGTERM/SIGINT to a graceful shutdown. */
export async function serve(config: Config, notices: readonly string[]): Promise<GatewayServer> {
  const server = await buildServer(config);
  for (const n of notices) server.gateway.log.warn({ event: 'config.notice' }, n);
  const largest = Math.floor(server.gateway.memory.limit / BODY_COST_FACTOR);
  if (largest < config.maxJsonBody) {
    // The body memory budget, not GATEWAY_MAX_JSON_BODY, then bounds what one request may send.
    server.gateway.log.warn({ event: 'config.notice', bodyMemory: server.gateway.memory.limit, maxJsonBody: config.maxJsonBody }, `JSON bodies above ${largest} bytes are refused (413): GATEWAY_BODY_MEMORY holds one body at ${BODY_COST_FACTOR} × its size, less than GATEWAY_MAX_JSON_BODY (${config.maxJsonBody}); raise the heap (--max-old-space-size) or GATEWAY_BODY_MEMORY, or lower GATEWAY_MAX_JSON_BODY`);
  }
  const address = await server.listen();
  server.gateway.log.info({ event: 'listening', address, publicUrl: config.publicUrl, upstream: config.upstreamUrl }, 'gateway listening');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.gateway.log.info({ event: 'shutdown', signal, delay: config.shutdownDelay, grace: config.shutdownGrace }, 'draining in-flight requests');
    server.close().then(
      () => {
        server.gateway.log.info({ event: 'shutdown.done' }, 'drained; exiting');
        process.exit(0);
      },
      (err: unknown) => {
        server.gateway.log.error({ event: 'shutdown.failed', err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return server;
}
