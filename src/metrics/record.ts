import type { Counter } from 'prom-client';
import { authTotal, cacheLookups, idpFetchErrors, requestsTotal, upstreamDuration, upstreamErrors } from './registry.js';

// The small API other modules call. Label children are bound once per label combination and
// kept, so the request hot path does a map lookup and an increment, not a label-object allocation.

/** Coarse classes of what a request was for; the only "route" label the metrics carry. */
export const ROUTE_CLASSES = [
  'mlflow-api', 'mlflow-artifacts', 'mlflow-graphql', 'mlflow-ui',
  'gateway-auth', 'gateway-api', 'gateway-ui', 'gateway-health', 'gateway-metrics', 'other',
] as const;
export type RouteClass = (typeof ROUTE_CLASSES)[number];

/** How a caller authenticated; `anonymous` when no credential was presented. */
export const AUTH_METHODS = ['session', 'jwt', 'pat-bearer', 'pat-basic', 'client-credentials', 'federated', 'anonymous'] as const;
export type AuthMethodLabel = (typeof AUTH_METHODS)[number];

export type Decision = 'allow' | 'deny' | 'none';
export type IdpFetchKind = 'discovery' | 'jwks' | 'token_refresh';
export type UpstreamErrorKind = 'timeout' | 'unavailable';

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;

function bound<L extends string>(counter: Counter<L>, labels: (key: string) => Partial<Record<L, string>>): (key: string) => { inc(): void } {
  const children = new Map<string, { inc(): void }>();
  return (key) => {
    let child = children.get(key);
    if (!child) {
      child = counter.labels(labels(key));
      children.set(key, child);
    }
    return child;
  };
}

const requestChildren = new Map<RouteClass, Map<Decision, { inc(): void }[]>>();

/** One answered request. `status` is the HTTP status sent. */
export function request(routeClass: RouteClass, decision: Decision, status: number): void {
  let byDecision = requestChildren.get(routeClass);
  if (!byDecision) requestChildren.set(routeClass, (byDecision = new Map()));
  let byStatus = byDecision.get(decision);
  if (!byStatus) {
    byStatus = STATUS_CLASSES.map((s) => requestsTotal.labels({ route_class: routeClass, decision, status_class: s }));
    byDecision.set(decision, byStatus);
  }
  const index = Math.min(Math.max(Math.floor(status / 100) - 1, 0), 4);
  byStatus[index]!.inc();
}

const authOk = new Map(AUTH_METHODS.map((m) => [m, authTotal.labels({ method: m, outcome: 'ok', reason: '' })]));
const authFailed = bound(authTotal, (key) => {
  const [method, reason] = key.split(' ');
  return { method, outcome: 'failed', reason };
});

/** An authentication outcome: `reason` is the GW_* code of a failure (a closed set), undefined on success. */
export function auth(method: AuthMethodLabel, reason?: string): void {
  if (reason === undefined) authOk.get(method)!.inc();
  else authFailed(`${method} ${/^GW_[A-Z_]+$/.test(reason) ? reason : 'GW_INTERNAL'}`).inc();
}

const upstreamChildren = new Map(ROUTE_CLASSES.map((c) => [c, upstreamDuration.labels({ route_class: c })]));

/** Seconds MLflow took to answer (response headers) a forwarded request. */
export function upstreamLatency(routeClass: RouteClass, seconds: number): void {
  upstreamChildren.get(routeClass)!.observe(seconds);
}

const upstreamErrorChildren = bound(upstreamErrors, (kind) => ({ kind }));
export function upstreamError(kind: UpstreamErrorKind): void {
  upstreamErrorChildren(kind).inc();
}

const idpChildren = bound(idpFetchErrors, (kind) => ({ kind }));
/** A request to the IdP failed (network, timeout, 5xx): discovery, JWKS or a session's token refresh. */
export function idpFetchError(kind: IdpFetchKind): void {
  idpChildren(kind).inc();
}

/** Distinct cache names are capped: a bug passing an id as the name must not explode the series count. */
const MAX_CACHES = 32;
const cacheChildren = new Map<string, { hit: { inc(): void }; miss: { inc(): void } }>();

/** One cache lookup. `cache` is a fixed name chosen by the caller (e.g. `session`, `decision`), never a key. */
export function cacheLookup(cache: string, hit: boolean): void {
  let child = cacheChildren.get(cache);
  if (!child) {
    const name = /^[a-z][a-z0-9_]{0,39}$/.test(cache) && cacheChildren.size < MAX_CACHES ? cache : 'other';
    child = cacheChildren.get(name) ?? { hit: cacheLookups.labels({ cache: name, result: 'hit' }), miss: cacheLookups.labels({ cache: name, result: 'miss' }) };
    cacheChildren.set(name, child);
    if (name === cache) cacheChildren.set(cache, child);
  }
  (hit ? child.hit : child.miss).inc();
}
