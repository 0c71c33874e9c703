import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.js';
import { classify, normalizePath } from '../../mlflow/index.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../context.js';

/** Step 1: normalise the path once (the result is what gets checked and forwarded) and classify it. */
export function normalizeAndClassify(gw: Gateway, req: FastifyRequest, ctx: RequestContext): void {
  const raw = req.raw.url ?? '/';
  const relative = gw.config.basePath === '' ? raw : raw.slice(gw.config.basePath.length) || '/';
  const normalized = normalizePath(relative.startsWith('/') ? relative : `/${relative}`);
  if (!normalized.ok) throw new GatewayError('GW_BAD_PATH', normalized.message);
  ctx.path = normalized.path;
  ctx.query = normalized.query;
  // Method-override headers are stripped before forwarding, so the method checked is the method served.
  // The route set of the MLflow version behind (detected at start-up and on reconnect).
  const found = classify(req.method, ctx.path, gw.mlflow.current());
  if (found.ok) {
    ctx.route = found.route;
    ctx.params = found.params;
  }
}
