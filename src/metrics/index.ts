/**
 * Prometheus metrics. Callers use the recording functions, e.g.
 *   import { metrics } from '../metrics/index.js';
 *   metrics.cacheLookup('session', true);
 * Exposition (a separate listener and/or a token-protected path) is in ./exposition.ts.
 */
import * as metrics from './record.js';

export { metrics };
export { registry, startProcessMetrics } from './registry.js';
export type { AuthMethodLabel, Decision, IdpFetchKind, RouteClass, UpstreamErrorKind } from './record.js';
export { routeClassOf } from './route-class.js';
