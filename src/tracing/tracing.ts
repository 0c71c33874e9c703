import type { IncomingHttpHeaders } from 'node:http';
import { parseTraceparent, parseTracestate } from './trace-context.js';

/** The trace context of one proxied request: what MLflow receives, and the gateway span's end. */
export interface RequestTrace {
  /** `traceparent` to send upstream: the gateway span's, or the client's (validated) when not tracing. */
  readonly traceparent: string | undefined;
  readonly tracestate: string | undefined;
  /** Ends the gateway span (no-op when not tracing). */
  end(status: number, attributes?: Record<string, string>): void;
}

export interface Tracing {
  readonly enabled: boolean;
  /** `name` must be low-cardinality (e.g. `POST CreateRun`); attributes may be request details. */
  start(headers: IncomingHttpHeaders, name: string, attributes: Record<string, string>): RequestTrace;
  /** Flushes and stops the exporter. */
  shutdown(): Promise<void>;
}

const NOTHING: RequestTrace = { traceparent: undefined, tracestate: undefined, end() {} };

/**
 * Without an exporter the gateway creates no span but still propagates: a valid incoming
 * traceparent (and its tracestate) goes to MLflow, normalised to version 00; malformed ones are dropped.
 */
export const passThroughTracing: Tracing = {
  enabled: false,
  start(headers) {
    const parent = parseTraceparent(headers.traceparent);
    if (!parent) return NOTHING;
    return {
      traceparent: `00-${parent.traceId}-${parent.parentId}-${parent.flags}`,
      tracestate: parseTracestate(headers.tracestate),
      end() {},
    };
  },
  shutdown: async () => {},
};
