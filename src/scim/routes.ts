// The SCIM 2.0 service provider at <mount>/_gateway/scim/v2 (RFC 7643, RFC 7644). Only SCIM
// bearer tokens get in; every answer is application/scim+json, never cached, and every refusal is
// a SCIM error. Routes the gateway does not serve are 404 SCIM errors (fail closed).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Gateway } from '../pipeline/gateway.js';
import { scimErrorBody, notFound, ScimError } from './errors.js';
import { listResponse, resourceTypes, schemas, serviceProviderConfig } from './discovery.js';
import type { ScimActor } from './lifecycle.js';
import { authenticateScim } from './tokens.js';
import { registerScimUserRoutes } from './user-routes.js';
import { registerScimGroupRoutes } from './group-routes.js';

export const SCIM_PATH = '/_gateway/scim/v2';

export type ScimHandler = (req: FastifyRequest, reply: FastifyReply, actor: ScimActor) => Promise<unknown>;

export interface ScimContext {
  readonly gw: Gateway;
  /** Absolute base URL of the SCIM endpoint (for meta.location). */
  readonly base: string;
  /** Mounts a handler: authenticates the SCIM token first, turns every throw into a SCIM error. */
  route(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, handler: ScimHandler): void;
}

export function registerScimRoutes(app: FastifyInstance, gw: Gateway): void {
  const prefix = `${gw.config.basePath}${SCIM_PATH}`;
  const base = `${gw.config.publicUrl}${SCIM_PATH}`;
  void app.register(async (scope) => {
    scope.addHook('onSend', async (_req, reply) => {
      void reply.header('cache-control', 'no-store');
    });
    const ctx: ScimContext = {
      gw, base,
      route(method, path, handler) {
        scope.route({
          method, url: `${prefix}${path}`,
          handler: async (req, reply) => {
            try {
              const token = await authenticateScim(gw.store, req.headers.authorization, req.ip);
              const result = await handler(req, reply, { token, req });
              if (reply.sent) return reply;
              if (result === undefined) return reply.code(reply.statusCode === 200 ? 204 : reply.statusCode).send();
              return reply.type('application/scim+json; charset=utf-8').send(JSON.stringify(result));
            } catch (err) {
              const { status, body, gatewayCode } = scimErrorBody(err);
              if (status >= 500) req.log.error({ event: 'error', err }, 'SCIM request failed');
              else req.log.info({ event: 'refused', scim: body.scimType, code: gatewayCode, detail: body.detail }, 'SCIM request refused');
              if (status === 401) void reply.header('www-authenticate', 'Bearer realm="scim"');
              return reply.code(status).type('application/scim+json; charset=utf-8').send(JSON.stringify(body));
            }
          },
        });
      },
    };
    ctx.route('GET', '/ServiceProviderConfig', async () => serviceProviderConfig(base));
    ctx.route('GET', '/ResourceTypes', async () => { const all = resourceTypes(base); return listResponse(all, all.length, 1); });
    ctx.route('GET', '/ResourceTypes/:name', async (req) => {
      const found = resourceTypes(base).find((r) => r.id === (req.params as { name: string }).name);
      if (!found) throw notFound('Resource type');
      return found;
    });
    ctx.route('GET', '/Schemas', async () => { const all = schemas(base); return listResponse(all, all.length, 1); });
    ctx.route('GET', '/Schemas/:id', async (req) => {
      const found = schemas(base).find((s) => s.id === (req.params as { id: string }).id);
      if (!found) throw notFound('Schema');
      return found;
    });
    registerScimUserRoutes(ctx);
    registerScimGroupRoutes(ctx);
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      ctx.route(method, '/*', async () => { throw new ScimError(404, 'This SCIM endpoint is not served here (Bulk, /Me and search via POST are not supported)'); });
    }
  });
}
