import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The process's one Prometheus registry and the gateway's series. Labels are small closed sets
 * (route classes, decisions, auth methods, GW_* codes, cache names): never ids, usernames, paths
 * or anything a client chooses, so the number of series stays bounded.
 */
export const registry = new Registry();

export const requestsTotal = new Counter({
  name: 'gateway_requests_total',
  help: 'Requests answered by the gateway, by route class, access decision and status class.',
  labelNames: ['route_class', 'decision', 'status_class'] as const,
  registers: [registry],
});

export const authTotal = new Counter({
  name: 'gateway_auth_total',
  help: 'Authentication attempts by credential method; outcome ok or failed, with the GW_* reason code when failed.',
  labelNames: ['method', 'outcome', 'reason'] as const,
  registers: [registry],
});

export const upstreamDuration = new Histogram({
  name: 'gateway_upstream_response_seconds',
  help: 'Time from forwarding a request to MLflow until its response headers arrived, by route class.',
  labelNames: ['route_class'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [registry],
});

export const upstreamErrors = new Counter({
  name: 'gateway_upstream_errors_total',
  help: 'Forwarded requests MLflow did not answer: timeout or unavailable (connection refused/reset).',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const idpFetchErrors = new Counter({
  name: 'gateway_idp_fetch_errors_total',
  help: 'Failed requests to the identity provider: discovery, jwks (signing keys) or token_refresh.',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const cacheLookups = new Counter({
  name: 'gateway_cache_lookups_total',
  help: 'Cache lookups by cache name and result (hit or miss).',
  labelNames: ['cache', 'result'] as const,
  registers: [registry],
});

let processMetricsStarted = false;

/** Node's default process metrics (CPU, RSS, heap, event-loop lag, GC), started once and only when metrics are exposed. */
export function startProcessMetrics(): void {
  if (processMetricsStarted) return;
  processMetricsStarted = true;
  collectDefaultMetrics({ register: registry });
}
