// GET <mount>/_gateway/api/v1/openapi.json: the API's description. Open to anyone: it documents
// endpoints the README already lists and holds no data.
import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../../pipeline/gateway.js';
import { openApiDocument } from './document.js';

export function registerOpenApiRoute(app: FastifyInstance, gw: Gateway, base: string): void {
  const doc = JSON.stringify(openApiDocument(`${gw.config.publicUrl}/_gateway/api/v1`));
  app.get(`${base}/openapi.json`, async (_req, reply) => reply.type('application/json; charset=utf-8').send(doc));
}
