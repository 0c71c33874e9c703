// Request bodies of the admin API. fastify hands every body over unparsed (the proxy streams
// them), so the admin routes read their small JSON objects themselves.
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/index.js';
import { assertJsonDepth } from '../pipeline/json-depth.js';
import { readBody } from '../pipeline/request-body.js';
import { badRequest, type Fields } from './input.js';

/** Admin bodies are a handful of short fields; anything bigger is a mistake or an attack. */
const MAX_ADMIN_BODY = 64 * 1024;

/**
 * The JSON object in the body, or undefined when there is no body. Content-Type must be JSON:
 * besides being honest, it means a cross-site HTML form can never produce an accepted request.
 */
export async function readJsonObject(req: FastifyRequest): Promise<Fields | undefined> {
  const raw = await readRaw(req);
  if (raw.length === 0) return undefined;
  const type = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw badRequest('Send the request body as JSON with Content-Type: application/json');
  assertJsonDepth(raw);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new GatewayError('GW_BAD_BODY', 'The request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new GatewayError('GW_BAD_BODY', 'The request body must be a JSON object');
  return parsed as Fields;
}

export async function requireJsonObject(req: FastifyRequest): Promise<Fields> {
  const body = await readJsonObject(req);
  if (body === undefined) throw new GatewayError('GW_BAD_BODY', 'A JSON object body is required');
  return body;
}

/** The proxy's body reader, with the admin API's much smaller limit. */
function readRaw(req: FastifyRequest): Promise<Buffer> {
  return readBody(req, MAX_ADMIN_BODY);
}
