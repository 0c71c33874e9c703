import { ROOT_CONTEXT, SpanKind, SpanStatusCode, createTraceState, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { formatTraceparent, isSampled, parseTraceparent, parseTracestate } from './trace-context.js';
import type { Tracing } from './tracing.js';

/**
 * OpenTelemetry tracing (loaded only when an exporter is configured): one SERVER span per proxied
 * request, a child of the client's valid traceparent (sampling follows its flag), exported over
 * OTLP/HTTP in batches. MLflow receives the gateway span as its parent.
 */
export function createOtelTracing(opts: { url: string; serviceName: string }): Tracing {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': opts.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: opts.url }))],
  });
  const tracer = provider.getTracer('mlflow-oidc-gateway');
  return {
    enabled: true,
    start(headers, name, attributes) {
      const parent = parseTraceparent(headers.traceparent);
      const tracestate = parent ? parseTracestate(headers.tracestate) : undefined;
      const parentContext = parent
        ? trace.setSpanContext(ROOT_CONTEXT, {
            traceId: parent.traceId, spanId: parent.parentId, traceFlags: isSampled(parent.flags) ? 1 : 0, isRemote: true,
            ...(tracestate ? { traceState: createTraceState(tracestate) } : {}),
          })
        : ROOT_CONTEXT;
      const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parentContext);
      const own = span.spanContext();
      return {
        traceparent: formatTraceparent(own.traceId, own.spanId, (own.traceFlags & 1) === 1),
        tracestate,
        end(status, more) {
          span.setAttribute('http.response.status_code', status);
          if (more) span.setAttributes(more);
          if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        },
      };
    },
    shutdown: () => provider.shutdown(),
  };
}
