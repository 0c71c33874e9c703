import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../context.js';

/**
 * Serves a `filtered` route (searches, lists, GraphQL) for a caller who may not read everything:
 * answers the request itself with only what the caller may read. Returns true when it sent the
 * reply; false means "forward unchanged" (the caller reads everything of this type).
 * Placeholder: the filtered-search wiring replaces this body.
 */
export async function serveFiltered(_gw: Gateway, _req: FastifyRequest, _reply: FastifyReply, _ctx: RequestContext): Promise<boolean> {
  return false;
}
