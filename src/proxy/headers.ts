import type { IncomingHttpHeaders } from 'node:http';

// Header hygiene between the client and MLflow. Names are compared after folding case and `_`
// to `-`, because some servers treat `X_Forwarded_User` like `X-Forwarded-User`.

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** Headers the gateway sets itself; a client-sent copy is always dropped. */
export const GATEWAY_SET = ['x-forwarded-user', 'x-forwarded-email', 'x-forwarded-groups', 'x-forwarded-for', 'x-forwarded-proto', 'x-request-id'] as const;

/** Client headers that claim an identity or re-route a request; never forwarded. */
const SPOOFABLE_PREFIXES = ['x-forwarded-', 'x-auth-request-', 'x-remote-', 'x-mlflow-gateway-', 'x-original-', 'x-rewrite-', 'x-http-method', 'x-method-override'];
const SPOOFABLE_EXACT = new Set(['forwarded', 'x-real-ip', 'remote-user', 'x-user', 'x-email', 'x-webauth-user', 'x-client-ip', 'true-client-ip', 'x-envoy-original-path']);

export function foldHeaderName(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

function isSpoofable(folded: string): boolean {
  return SPOOFABLE_EXACT.has(folded) || SPOOFABLE_PREFIXES.some((p) => folded.startsWith(p));
}

export interface UpstreamIdentity {
  readonly username: string;
  readonly email: string | null;
  readonly groups: readonly string[];
}

export interface RequestHeaderContext {
  readonly upstreamHost: string;
  readonly clientIp: string;
  readonly proto: 'http' | 'https';
  readonly requestId: string;
  readonly identity: UpstreamIdentity | undefined;
  /** Names of the gateway's own cookies, removed from the Cookie header. */
  readonly gatewayCookies: readonly string[];
  /** W3C trace context for MLflow (src/tracing): the client's own is never forwarded unvalidated. */
  readonly trace?: { readonly traceparent: string | undefined; readonly tracestate: string | undefined } | undefined;
}

/**
 * Builds the headers MLflow receives. `Host` becomes the upstream's (passes MLflow's allowed-hosts
 * check); `Origin` is dropped after the gateway's own CSRF check (MLflow's CORS check then has
 * nothing to refuse); credentials (Authorization, gateway cookies) never reach MLflow or the LLM
 * providers behind its AI gateway.
 */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, ctx: RequestHeaderContext): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const connectionListed = new Set(
    String(incoming.connection ?? '').split(',').map((s) => foldHeaderName(s.trim())).filter(Boolean),
  );
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    const folded = foldHeaderName(name);
    if (HOP_BY_HOP.has(folded) || connectionListed.has(folded) || isSpoofable(folded)) continue;
    if (folded === 'traceparent' || folded === 'tracestate') continue; // replaced below when valid
    if (folded === 'host' || folded === 'origin' || folded === 'authorization' || folded === 'x-mlflow-authorization' || folded === 'cookie') continue;
    if (name !== folded && folded !== name.toLowerCase()) continue; // underscore look-alikes of anything: drop
    out[name.toLowerCase()] = value;
  }
  const cookie = filterCookies(incoming.cookie, ctx.gatewayCookies);
  if (cookie) out.cookie = cookie;
  out.host = ctx.upstreamHost;
  out['x-forwarded-for'] = ctx.clientIp;
  out['x-forwarded-proto'] = ctx.proto;
  out['x-request-id'] = ctx.requestId;
  if (ctx.trace?.traceparent) {
    out.traceparent = ctx.trace.traceparent;
    if (ctx.trace.tracestate) out.tracestate = ctx.trace.tracestate;
  }
  if (ctx.identity) {
    out['x-forwarded-user'] = encodeHeaderValue(ctx.identity.username);
    if (ctx.identity.email) out['x-forwarded-email'] = encodeHeaderValue(ctx.identity.email);
    out['x-forwarded-groups'] = ctx.identity.groups.map(encodeHeaderValue).join(',');
  }
  return out;
}

/** Response headers from MLflow: hop-by-hop removed, everything else as sent. */
export function clientResponseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const connectionListed = new Set(String(headers.connection ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || connectionListed.has(lower)) continue;
    out[lower] = value;
  }
  return out;
}

function filterCookies(header: string | undefined, drop: readonly string[]): string | undefined {
  if (!header) return undefined;
  const kept = header
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p.length > 0 && !drop.includes(p.slice(0, Math.max(0, p.indexOf('='))).trim()));
  return kept.length > 0 ? kept.join('; ') : undefined;
}

/** Header values must be latin1 without control characters; anything else is percent-encoded. */
function encodeHeaderValue(v: string): string {
  return /^[\x20-\x7e]*$/.test(v) ? v : encodeURIComponent(v);
}
