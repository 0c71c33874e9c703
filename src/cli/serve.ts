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
    server.gateway.log.info({ event: 'shutdown', signal }, 'draining in-flight requests');
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return server;
}
