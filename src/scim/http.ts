// Request plumbing shared by the SCIM endpoints: bodies, paging, If-Match, patch operations.
import type { FastifyRequest } from 'fastify';
import type { ScimPatchOperation } from 'scim-patch';
import { readBody } from '../pipeline/request-body.js';
import { badRequest, ScimError } from './errors.js';
import { MAX_RESULTS } from './discovery.js';
import { scimLibraries } from './libraries.js';
import { PATCH_SCHEMA } from './resources.js';

const MAX_BODY = 1024 * 1024;

export type ScimQuery = { filter?: string; startIndex?: string; count?: string; attributes?: string; excludedAttributes?: string };

/** The JSON object in a SCIM request body (`application/scim+json` or `application/json`). */
export async function scimBody(req: FastifyRequest): Promise<Record<string, unknown>> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/scim+json' && type !== 'application/json') throw badRequest('Send the body as application/scim+json', 'invalidSyntax');
  const raw = await readBody(req, MAX_BODY);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('The body is not valid JSON', 'invalidSyntax');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('The body must be a JSON object', 'invalidSyntax');
  return parsed as Record<string, unknown>;
}

/** startIndex is 1-based (values below 1 mean 1); count is capped at the advertised maxResults. */
export function paging(q: ScimQuery): { start: number; count: number } {
  const int = (v: string | undefined, name: string) => {
    if (v === undefined || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) throw badRequest(`${name} must be an integer`, 'invalidValue');
    return Number(v);
  };
  const start = Math.max(1, int(q.startIndex, 'startIndex') ?? 1);
  const count = Math.min(MAX_RESULTS, Math.max(0, int(q.count, 'count') ?? 100));
  return { start, count };
}

/** The version an If-Match header names (`W/"3"`, `"3"`), undefined when absent or `*`. 412 for anything unreadable. */
export function ifMatchVersion(req: FastifyRequest): number | undefined {
  const header = req.headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"(\d+)"\s*$/.exec(String(header));
  if (!m) throw new ScimError(412, 'If-Match does not name a version of this resource', 'invalidVers');
  return Number(m[1]);
}

/**
 * Applies a PatchOp body to a resource with scim-patch (add/replace/remove, with and without path,
 * value filters in paths). Op names are case-insensitive (Entra ID sends `Replace`, `Add`).
 */
export async function applyPatch(resource: Record<string, unknown>, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(PATCH_SCHEMA)) throw badRequest(`A PATCH body needs schemas [${PATCH_SCHEMA}]`, 'invalidSyntax');
  const ops = body.Operations ?? body.operations;
  if (!Array.isArray(ops) || ops.length === 0) throw badRequest('A PATCH body needs a non-empty Operations array', 'invalidSyntax');
  if (ops.length > 1000) throw badRequest('At most 1000 operations per PATCH', 'tooMany');
  const normalized = ops.map((op: unknown, i) => {
    if (typeof op !== 'object' || op === null) throw badRequest(`Operation ${i + 1} is not an object`, 'invalidSyntax');
    const o = op as Record<string, unknown>;
    const name = typeof o.op === 'string' ? o.op.toLowerCase() : '';
    if (!['add', 'replace', 'remove'].includes(name)) throw badRequest(`Operation ${i + 1} has an unknown op ${JSON.stringify(o.op)}`, 'invalidSyntax');
    if (o.path !== undefined && typeof o.path !== 'string') throw badRequest(`Operation ${i + 1} has a path that is not a string`, 'invalidPath');
    return { ...o, op: name } as unknown as ScimPatchOperation;
  });
  const { scimPatch } = await scimLibraries();
  try {
    return scimPatch(structuredClone(resource) as never, normalized, { mutateDocument: false, treatMissingAsAdd: true } as never) as Record<string, unknown>;
  } catch (err) {
    const e = err as { scimType?: string; message?: string; status?: number };
    const scimType = e.scimType === 'noTarget' ? 'noTarget' : e.scimType === 'invalidPath' ? 'invalidPath' : 'invalidValue';
    throw badRequest(`The patch cannot be applied: ${String(e.message ?? err).slice(0, 200)}`, scimType);
  }
}
