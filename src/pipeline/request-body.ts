import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/index.js';
import { requestFieldSource, type RouteSpec } from '../mlflow/index.js';

/**
 * Whether the gateway must see the JSON body of this request before deciding: some id lives in
 * it (MLflow reads GET-without-query and every other method from the body), or a step rewrites
 * it (run attribution). Artifact uploads name their ids in the path, so they keep streaming.
 */
export function needsJsonBody(route: RouteSpec, method: string, query: URLSearchParams, rewrites: boolean): boolean {
  if (rewrites) return true;
  const req = route.requirement;
  const refs = [...(req.kind === 'resource' ? req.ids : req.kind === 'filtered' || req.kind === 'create' ? (req.ids ?? []) : []), ...(route.references ?? [])];
  const fieldSource = requestFieldSource(method, query);
  return refs.some((r) => r.from === 'body' || (r.from === 'auto' && fieldSource === 'body'));
}

/** Reads the raw request body (fastify hands it over unparsed), refusing more than `limit` bytes. */
export async function readBody(req: FastifyRequest, limit: number): Promise<Buffer> {
  const stream = req.body as NodeJS.ReadableStream | undefined;
  if (!stream || typeof (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator] !== 'function') return Buffer.alloc(0);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** Parses like MLflow (force=True: any content type); an empty body is "no body". */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new GatewayError('GW_BAD_BODY', 'The request body is not valid JSON');
  }
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('GW_BODY_TOO_LARGE', `The JSON request body exceeds the limit of ${limit} bytes`);
}
