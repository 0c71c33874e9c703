import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.js';
import { requestFieldSource } from '../../mlflow/index.js';
import type { SearchParams } from '../../mlflow/filtered-search.js';
import type { Subject } from '../../policy/index.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../context.js';
import { jsonObjectBody } from './body.js';
import { createRequestAccess, type RequestAccess } from './readable.js';
import { bodyLease } from '../request-body.js';
import type { MemoryLease } from '../memory-budget.js';

/** One filtered request, with what every filter needs. */
export interface FilterRequest {
  readonly gw: Gateway;
  readonly req: FastifyRequest;
  readonly reply: FastifyReply;
  readonly ctx: RequestContext;
  readonly subject: Subject;
  readonly access: RequestAccess;
  readonly method: string;
  /** The (normalised) query string the client sent, parsed. */
  readonly query: URLSearchParams;
  /**
   * Options of the gateway's own MLflow calls: the configured upstream timeout, and the client's
   * workspace selector and the request's trace context as the only headers (no credentials: MLflow
   * trusts the network position).
   */
  readonly upstreamCall: { readonly headers: Record<string, string>; readonly timeoutMs: number; readonly memory: MemoryLease };
}

export function createFilterRequest(gw: Gateway, req: FastifyRequest, reply: FastifyReply, ctx: RequestContext, subject: Subject): FilterRequest {
  return {
    gw, req, reply, ctx, subject,
    access: createRequestAccess(gw, subject),
    method: req.method,
    query: new URLSearchParams(ctx.query),
    upstreamCall: { headers: { ...workspaceHeader(req), ...traceHeaders(ctx) }, timeoutMs: gw.config.upstreamTimeout * 1000, memory: bodyLease(gw, ctx) },
  };
}

/** The gateway span's (or the client's validated) trace context, as on forwarded requests. */
function traceHeaders(ctx: RequestContext): Record<string, string> {
  const trace = ctx.trace;
  if (!trace?.traceparent) return {};
  return { traceparent: trace.traceparent, ...(trace.tracestate ? { tracestate: trace.tracestate } : {}) };
}

/** MLflow picks the workspace from X-MLFLOW-WORKSPACE; the gateway's own calls must see the same one. */
function workspaceHeader(req: FastifyRequest): Record<string, string> {
  const v = req.headers['x-mlflow-workspace'];
  if (v === undefined) return {};
  // Node joins repeated headers with ", "; which one MLflow would use is unclear: refuse.
  if (Array.isArray(v) || v.includes(',')) throw new GatewayError('GW_BAD_REQUEST', 'X-MLFLOW-WORKSPACE must be given once');
  return { 'x-mlflow-workspace': v };
}

/**
 * The request's parameters where MLflow's handler reads them (handlers._get_request_message):
 * the query string of a GET that has one, the JSON body otherwise.
 */
export async function searchParams(fr: FilterRequest): Promise<SearchParams> {
  if (requestFieldSource(fr.method, fr.query) === 'query') return fr.query;
  return jsonObjectBody(fr.gw, fr.req, fr.ctx);
}

/** Adds what the filter did to the access-log decision (after what the authorize step wrote). */
export function noteDecision(fr: FilterRequest, detail: string): void {
  fr.ctx.decision = fr.ctx.decision ? `${fr.ctx.decision}: ${detail}` : `allow: filtered ${detail}`;
}

/** The query string as mlflowCall takes it, repeated keys kept. */
export function queryRecord(q: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of q) (out[k] ??= []).push(v);
  return out;
}
