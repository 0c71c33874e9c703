import type { RouteClass } from './record.js';

/**
 * The route class of a request path relative to the gateway's mount point. Prefix checks only:
 * the path itself (ids, artifact names) never becomes a label.
 */
export function routeClassOf(path: string): RouteClass {
  if (path.startsWith('/_gateway/')) {
    if (path.startsWith('/_gateway/api/')) return 'gateway-api';
    if (path.startsWith('/_gateway/ui')) return 'gateway-ui';
    if (path === '/_gateway/healthz' || path === '/_gateway/readyz') return 'gateway-health';
    if (path === '/_gateway/metrics') return 'gateway-metrics';
    return 'gateway-auth';
  }
  if (path.includes('/mlflow-artifacts/')) return 'mlflow-artifacts';
  if (path.includes('/graphql')) return 'mlflow-graphql';
  if (path.startsWith('/api/') || path.startsWith('/ajax-api/')) return 'mlflow-api';
  if (path.startsWith('/get-artifact') || path.startsWith('/model-versions/get-artifact')) return 'mlflow-artifacts';
  if (path === '/' || path.startsWith('/static-files/') || path.endsWith('.html') || path === '/health' || path === '/version') return 'mlflow-ui';
  return 'other';
}
