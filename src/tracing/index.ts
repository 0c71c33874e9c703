import type { Config } from '../config/index.js';
import { passThroughTracing, type Tracing } from './tracing.js';

export type { RequestTrace, Tracing } from './tracing.js';

/**
 * Tracing from the standard OTEL_* settings. The OpenTelemetry SDK is imported only when an
 * exporter is configured, so a gateway without tracing does not pay its start-up cost.
 */
export async function loadTracing(config: Config): Promise<Tracing> {
  const url = otlpTracesUrl(config);
  if (url === undefined) return passThroughTracing;
  const { createOtelTracing } = await import('./otel.js');
  return createOtelTracing({ url, serviceName: config.otelServiceName });
}

/** The OTLP/HTTP traces URL, or undefined when tracing is off (the OpenTelemetry spec's defaults). */
export function otlpTracesUrl(config: Config): string | undefined {
  if (config.otelTracesExporter === 'none') return undefined;
  if (config.otlpTracesEndpoint !== undefined) return config.otlpTracesEndpoint;
  if (config.otlpEndpoint !== undefined) return `${config.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
  return config.otelTracesExporter === 'otlp' ? 'http://localhost:4318/v1/traces' : undefined;
}
