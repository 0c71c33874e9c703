import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/index.js';
import { GatewayError } from '../errors/index.js';
import { registry, startProcessMetrics } from './registry.js';

/**
 * Where Prometheus scrapes: `/metrics` on a separate listener (GATEWAY_METRICS_PORT, loopback by
 * default, for a sidecar or a pod-local scrape) and/or `<mount>/_gateway/metrics` on the main port
 * when GATEWAY_METRICS_TOKEN is set. The token, when set, is required on both.
 */
export function metricsEnabled(config: Config): boolean {
  return config.metricsPort !== undefined || config.metricsToken !== undefined;
}

/** Constant-time comparison of the presented bearer with the configured token (hashes first: equal lengths). */
export function scrapeAllowed(config: Config, authorization: string | undefined): boolean {
  if (config.metricsToken === undefined) return true;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!match) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(match[1]!), digest(config.metricsToken));
}

export function registerMetricsRoute(app: FastifyInstance, config: Config): void {
  if (config.metricsToken === undefined) return;
  startProcessMetrics();
  app.get(`${config.basePath}/_gateway/metrics`, async (req, reply) => {
    if (!scrapeAllowed(config, req.headers.authorization)) {
      throw new GatewayError('GW_UNAUTHENTICATED', 'Scraping metrics needs the metrics bearer token', { headers: { 'www-authenticate': 'Bearer realm="metrics"' } });
    }
    void reply.header('content-type', registry.contentType).header('cache-control', 'no-store');
    return registry.metrics();
  });
}

export interface MetricsListener {
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsListener(config: Config): Promise<MetricsListener | undefined> {
  if (config.metricsPort === undefined) return undefined;
  startProcessMetrics();
  const server: Server = createServer((req: IncomingMessage, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    if (!scrapeAllowed(config, req.headers.authorization)) {
      return void res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="metrics"' }).end('metrics bearer token required\n');
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.metricsPort, config.metricsHost, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
