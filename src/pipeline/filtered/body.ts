import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../context.js';
import { normalizeRequestJson } from '../../mlflow/index.js';
import { bodyLease, parseJsonBody, readBody } from '../request-body.js';

/**
 * The JSON body as MLflow's _get_normalized_request_json reads it: {} when absent or empty, a
 * double-encoded JSON string decoded once more; anything but an object is refused. Reuses what
 * the authorize step read (ctx.body / ctx.json); otherwise reads it now and keeps it in ctx.body,
 * so forward() sends the same bytes.
 */
export async function jsonObjectBody(gw: Gateway, req: FastifyRequest, ctx: RequestContext): Promise<Record<string, unknown>> {
  if (ctx.json === undefined) {
    ctx.body ??= await readBody(req, gw.config.maxJsonBody, bodyLease(gw, ctx));
    ctx.json = parseJsonBody(ctx.body);
  }
  const normalized = normalizeRequestJson(ctx.json);
  if (!normalized.ok) throw new GatewayError('GW_BAD_BODY', normalized.message);
  return normalized.value;
}
