import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/index.js';
import { requestFieldSource, type RouteSpec } from '../mlflow/index.js';
import { assertJsonDepth } from './json-depth.js';
import type { Gateway } from './gateway.js';
import type { RequestContext } from './context.js';
import type { MemoryLease } from './memory-budget.js';

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

/**
 * Reads the raw request body (fastify hands it over unparsed), refusing more than `limit` bytes.
 * With a memory lease, the body is charged to it before it is held: all at once when the client
 * declared its length (refused before a byte is read), chunk by chunk otherwise.
 */
export async function readBody(req: FastifyRequest, limit: number, memory?: MemoryLease): Promise<Buffer> {
  const stream = req.body as NodeJS.ReadableStream | undefined;
  if (!stream || typeof (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator] !== 'function') return Buffer.alloc(0);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) throw tooLarge(limit);
  const charged = Number.isSafeInteger(declared) && declared >= 0;
  if (charged) memory?.take(declared);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    if (!charged) memory?.take(chunk.length);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/**
 * The request's memory lease (src/pipeline/memory-budget.ts), made on first use and given back
 * when the response closes — sent, failed or aborted by the client.
 */
export function bodyLease(gw: Gateway, ctx: RequestContext): MemoryLease {
  if (ctx.memory) return ctx.memory;
  const lease = gw.memory.lease();
  ctx.memory = lease;
  const res = ctx.response;
  if (!res || res.closed) lease.release(); // nothing left to hold it for: later takes are refused
  else res.once('close', () => lease.release());
  return lease;
}

/** Parses like MLflow (force=True: any content type); an empty body is "no body". Too deep a body is refused before parsing. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  assertJsonDepth(raw);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new GatewayError('GW_BAD_BODY', 'The request body is not valid JSON');
  }
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('GW_BODY_TOO_LARGE', `The JSON request body exceeds the limit of ${limit} bytes`);
}

/** Routes whose request body is a file, not a message: never read, never judged as JSON. */
const FILE_BODY_RPCS = new Set(['UploadArtifact', 'serve_upload_artifact']);
const BODYLESS = new Set(['GET', 'HEAD']);

/**
 * Whether MLflow parses this request's body as JSON: every Flask handler does (get_json with
 * force=True, whatever the content type) and every FastAPI one, except file uploads and OTLP
 * span exports sent as protobuf.
 */
export function mlflowParsesAsJson(route: RouteSpec, method: string, contentType: string | undefined): boolean {
  if (BODYLESS.has(method) || FILE_BODY_RPCS.has(route.rpc ?? '')) return false;
  if (route.rpc === 'export_traces') return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
  return true;
}

/**
 * Refuses a body MLflow would parse as JSON that nests deeper than MAX_JSON_DEPTH, reading it first
 * when no step has (it is then forwarded from memory, within the same size limit). An OTLP body
 * with Content-Encoding is judged decompressed (bounded by the same limit), as MLflow will parse it.
 * Returns the body read, if any.
 */
export async function guardJsonNesting(req: FastifyRequest, route: RouteSpec, body: Buffer | undefined, limit: number, memory: MemoryLease): Promise<Buffer | undefined> {
  if (!mlflowParsesAsJson(route, req.method, req.headers['content-type'])) return body;
  const raw = body ?? (await readBody(req, limit, memory));
  const encoding = String(req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (route.rpc === 'export_traces' && encoding !== '' && encoding !== 'identity') {
    const plain = decoded(raw, encoding, limit);
    memory.take(plain.length); // the decompressed copy is held while it is judged (and again by otlpTraceIds)
    assertJsonDepth(plain);
  } else {
    assertJsonDepth(raw);
  }
  return raw;
}

/** MLflow's decompress_otlp_body (gzip; deflate, zlib-wrapped or raw), capped at `limit` bytes out. */
function decoded(raw: Buffer, encoding: string, limit: number): Buffer {
  const options = { maxOutputLength: limit };
  const attempts = encoding === 'gzip' ? [() => gunzipSync(raw, options)] : encoding === 'deflate' ? [() => inflateSync(raw, options), () => inflateRawSync(raw, options)] : [];
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(limit);
    }
  }
  return Buffer.alloc(0); // not decodable: MLflow refuses it itself (400)
}
