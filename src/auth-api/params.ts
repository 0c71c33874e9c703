// Request parameters as MLflow's auth app reads them (`_get_request_param`): the query string for
// GET (and for DELETE without a JSON body), the JSON body otherwise. Missing ones are refused with
// MLflow's INVALID_PARAMETER_VALUE wording, so scripts that match on it keep working.
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/index.js';
import { readJsonObject } from '../admin/body.js';
import type { Fields } from '../admin/input.js';

export interface Params {
  /** A required string parameter (numbers are accepted and turned into their decimal text). */
  text(name: string): string;
  optionalText(name: string): string | undefined;
  bool(name: string): boolean;
  readonly raw: Fields;
}

const MAX_TEXT = 512;

export async function readParams(req: FastifyRequest): Promise<Params> {
  const query = (req.query ?? {}) as Fields;
  let fields: Fields = query;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    const body = await readJsonObject(req);
    if (body !== undefined) fields = body;
    else if (req.method !== 'DELETE') fields = {};
  }
  const missing = (name: string) => new GatewayError('GW_MISSING_ID',
    `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`);
  const asText = (name: string, v: unknown): string => {
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    if (typeof v !== 'string') throw new GatewayError('GW_INVALID_VALUE', `Parameter '${name}' must be a string`);
    if (v.length > MAX_TEXT) throw new GatewayError('GW_INVALID_VALUE', `Parameter '${name}' is longer than ${MAX_TEXT} characters`);
    if (/[\u0000-\u001f\u007f]/.test(v)) throw new GatewayError('GW_INVALID_VALUE', `Parameter '${name}' must not contain control characters`);
    return v;
  };
  return {
    raw: fields,
    text(name) {
      const v = fields[name];
      if (v === undefined || v === null) throw missing(name);
      return asText(name, v);
    },
    optionalText(name) {
      const v = fields[name];
      return v === undefined || v === null ? undefined : asText(name, v);
    },
    bool(name) {
      const v = fields[name];
      if (v === undefined || v === null) throw missing(name);
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'True') return true;
      if (v === 'false' || v === 'False') return false;
      throw new GatewayError('GW_INVALID_VALUE', `Parameter '${name}' must be true or false`);
    },
  };
}
