import { buildServer, type GatewayServer } from '../server/app.js';
import type { Config } from '../config/index.js';

/** Starts the gateway and wires SIGTERM/SIGINT to a graceful shutdown. */
export async function serve(config: Config, notices: readonly string[]): Promise<GatewayServer> {
  const server = await buildServer(config);
  for (const n of notices) server.gateway.log.warn({ event: 'config.notice' }, n);
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
