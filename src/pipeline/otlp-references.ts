import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/index.js';
import type { ExtractedReference } from '../mlflow/index.js';
import { otlpTraceIds } from '../mlflow/otlp-trace-ids.js';
import type { RequestContext } from './context.js';
import type { Gateway } from './gateway.js';
import { bodyLease, readBody } from './request-body.js';

/** The OTLP span export route (FastAPI otel_router). */
const OTLP_RPC = 'export_traces';

/**
 * OTLP span export (issue #13 §2): every trace the body's spans belong to is a reference needing
 * update — MLflow appends spans to an existing trace of any experiment. The body is read here
 * (it is forwarded as read); one the gateway cannot decode is refused, one MLflow refuses by its
 * headers alone (type, encoding) is passed on for MLflow to answer.
 */
export async function otlpReferences(gw: Gateway, req: FastifyRequest, ctx: RequestContext): Promise<ExtractedReference[]> {
  if (ctx.route?.rpc !== OTLP_RPC) return [];
  ctx.body ??= await readBody(req, gw.config.maxJsonBody, bodyLease(gw, ctx));
  const header = (name: string): string | undefined => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const result = otlpTraceIds({ body: ctx.body, contentType: header('content-type'), contentEncoding: header('content-encoding'), maxBytes: gw.config.maxJsonBody });
  if (result.ok === 'mlflow-refuses') return [];
  if (!result.ok) throw new GatewayError('GW_BAD_BODY', `The OTLP span export cannot be read by the gateway: ${result.message}`);
  return result.traceIds.length === 0 ? [] : [{ kind: 'trace_id', values: result.traceIds, action: 'update', from: 'body:resource_spans[].scope_spans[].spans[].trace_id' }];
}
