// Resource-id extraction: read the ids a request names exactly where MLflow's handler reads them,
// and refuse every request that MLflow could read differently from the gateway.
//
// MLflow's parser (handlers._get_request_message): a GET with a non-empty query string reads the
// query (`request.args`, repeated keys for repeated fields, first value otherwise); any other
// request — including DELETE and a GET without a query — reads the JSON body with force=True,
// decoding a double-encoded JSON string once more. protobuf's ParseDict accepts both snake_case and
// lowerCamelCase names at every level; `run_uuid` is the legacy spelling of `run_id`.
//
// The gateway over-approximates the spellings: every spelling MLflow might read is looked at, and a
// request naming the same id twice with different values (two spellings, or a repeated query key
// for a scalar field) is refused as ambiguous — the classic way to make an authorizer check one id
// while the handler acts on another.
import type { Action } from '../policy/types.js';
import type { IdKind, IdRef, IdSource, ReferenceRef, RouteSpec } from './types.js';

export interface ExtractedId {
  readonly kind: IdKind;
  /** Distinct values, in request order. */
  readonly values: readonly string[];
  /** The action to check on these ids (the IdRef's override, else the requirement's). */
  readonly action: Action;
  /** Where the values were read, for audit logs: 'query:run_id', 'body:trace.trace_info…', 'path:model_id'. */
  readonly from: string;
  /** The field is a list (experiment_ids…, or a path through an array like locations[]…): filtered routes narrow it instead of refusing. */
  readonly many: boolean;
}

export type ExtractResult =
  | {
      readonly ok: true;
      readonly ids: readonly ExtractedId[];
      /**
       * With `deferToMlflow`: why MLflow itself refuses this request (a required id is absent, or a
       * field on the way to an id has the wrong type in a protobuf-parsed body). The ids that could
       * be read are in `ids` and must still be authorized; the request then goes to MLflow, whose
       * validation answers the client with MLflow's own message and code.
       */
      readonly mlflowRefuses?: string;
    }
  | { readonly ok: false; readonly code: 'GW_AMBIGUOUS_ID' | 'GW_MISSING_ID' | 'GW_BAD_BODY'; readonly message: string };

export interface ExtractInput {
  readonly method: string;
  readonly query: URLSearchParams;
  /** Parsed JSON body (any content type, as MLflow parses with force=True), or undefined when there is none. */
  readonly body: unknown;
  /** Decoded path parameters from classify(). */
  readonly params: Readonly<Record<string, string>>;
  /** Request headers, lower-case names (Node's IncomingHttpHeaders). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

type IdErrorCode = 'GW_AMBIGUOUS_ID' | 'GW_MISSING_ID' | 'GW_BAD_BODY';

class IdError extends Error {
  readonly code: IdErrorCode;
  constructor(code: IdErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** protobuf's json_name: lowerCamelCase of a snake_case field name. */
export function lowerCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Names come from the route table only, so the cache is bounded by it (computed once, not per request). */
const spellingCache = new Map<string, readonly string[]>();

function spellings(name: string, aliases: readonly string[] = []): readonly string[] {
  const key = aliases.length === 0 ? name : `${name}\u0000${aliases.join('\u0000')}`;
  let out = spellingCache.get(key);
  if (!out) {
    const list: string[] = [];
    for (const n of [name, ...aliases]) {
      for (const s of [n, lowerCamel(n)]) if (!list.includes(s)) list.push(s);
    }
    out = Object.freeze(list);
    spellingCache.set(key, out);
  }
  return out;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function scalar(v: unknown, where: string): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  throw new IdError('GW_BAD_BODY', `${where} must be a string`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The body as MLflow's _get_normalized_request_json sees it: {} when absent, a JSON string
 * decoded once more; anything else that is not an object is not a request MLflow accepts.
 */
export function normalizeRequestJson(raw: unknown): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  let v = raw;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v) as unknown;
    } catch {
      return { ok: false, message: 'The request body is a JSON string that does not contain JSON' };
    }
  }
  if (v === undefined || v === null) return { ok: true, value: {} };
  if (!isObject(v)) return { ok: false, message: 'The request body must be a JSON object' };
  return { ok: true, value: v };
}

function normalizeBody(raw: unknown): Record<string, unknown> {
  const r = normalizeRequestJson(raw);
  if (!r.ok) throw new IdError('GW_BAD_BODY', r.message);
  return r.value;
}

/** What the readers need of an IdRef or a ReferenceRef. */
type FieldRef = Pick<IdRef, 'field' | 'aliases' | 'many'>;

interface PathSeg {
  readonly name: string;
  readonly array: boolean;
  /** `{mlflow.sourceRun}`: a map key, looked up verbatim (no other spelling, dots allowed). */
  readonly literal?: boolean;
  /** `request_metadata[key=mlflow.sourceRun]`: iterate the array, keeping the {key, value} entries with this key. */
  readonly keyIs?: string;
}

/** `a.b[].{map.key}.c[key=K].value` → segments. */
function parseField(field: string): PathSeg[] {
  return (field.match(/\{[^}]*\}|[^.[]+(?:\[(?:key=[^\]]*)?\])?/g) ?? []).map((s) => {
    if (s.startsWith('{')) return { name: s.slice(1, -1), array: false, literal: true };
    const filter = /^(.*)\[key=([^\]]*)\]$/.exec(s);
    if (filter) return { name: filter[1] as string, array: true, keyIs: filter[2] as string };
    return s.endsWith('[]') ? { name: s.slice(0, -2), array: true } : { name: s, array: false };
  });
}

function segmentSpellings(seg: PathSeg, aliases?: readonly string[]): readonly string[] {
  return seg.literal ? [seg.name] : spellings(seg.name, aliases);
}

function keyed(items: unknown[], seg: PathSeg): unknown[] {
  return seg.keyIs === undefined ? items : items.filter((i) => isObject(i) && i.key === seg.keyIs);
}

/**
 * Values at a dotted JSON path, looking up every spelling at every level. Two spellings present
 * at the same level must yield the same values.
 */
function fromJson(node: unknown, segs: readonly PathSeg[], i: number, ref: FieldRef, trail: string): string[] {
  if (!isObject(node)) {
    if (node === undefined || node === null) return [];
    throw new IdError('GW_BAD_BODY', `${trail || 'the request body'} must be a JSON object`);
  }
  const seg = segs[i] as PathSeg;
  const last = i === segs.length - 1;
  let result: string[] | undefined;
  let resultKey = '';
  for (const key of segmentSpellings(seg, last ? ref.aliases : [])) {
    if (!Object.prototype.hasOwnProperty.call(node, key)) continue;
    const where = trail ? `${trail}.${key}` : key;
    const v = node[key];
    const vals: string[] = [];
    const items: unknown[] = keyed(seg.array || (last && ref.many) ? arrayOf(v, where) : [v], seg);
    for (const item of items) {
      if (last) {
        const s = scalar(item, where);
        if (s !== undefined) vals.push(s);
      } else {
        vals.push(...fromJson(item, segs, i + 1, ref, where));
      }
    }
    if (result === undefined) {
      result = vals;
      resultKey = where;
    } else if (!sameList(result, vals)) {
      throw new IdError('GW_AMBIGUOUS_ID', `the request names ${resultKey} and ${where} with different values`);
    }
  }
  return result ?? [];
}

function arrayOf(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new IdError('GW_BAD_BODY', `${where} must be an array`);
  return v;
}

function fromQuery(q: URLSearchParams, ref: FieldRef): string[] {
  let result: string[] | undefined;
  let resultKey = '';
  for (const key of spellings(ref.field, ref.aliases)) {
    if (!q.has(key)) continue;
    const vals = q.getAll(key);
    if (!ref.many && vals.length > 1) {
      throw new IdError('GW_AMBIGUOUS_ID', `the query string repeats ${key}`);
    }
    if (result === undefined) {
      result = vals;
      resultKey = key;
    } else if (!sameList(result, vals)) {
      throw new IdError('GW_AMBIGUOUS_ID', `the query string names ${resultKey} and ${key} with different values`);
    }
  }
  return result ?? [];
}

function fromHeader(headers: ExtractInput['headers'], ref: FieldRef): string[] {
  const v = headers[ref.field.toLowerCase()];
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  if (list.length > 1 && list.some((x) => x !== list[0])) {
    throw new IdError('GW_AMBIGUOUS_ID', `the ${ref.field} header is repeated with different values`);
  }
  const first = list[0];
  if (first === undefined) return [];
  // Node joins repeated headers with ", " while Starlette reads the first one: refuse the ambiguity.
  if (first.includes(',')) throw new IdError('GW_AMBIGUOUS_ID', `the ${ref.field} header carries several values`);
  return [first.trim()];
}

/** MLflow's rule for where a request's fields live. */
export function requestFieldSource(method: string, query: URLSearchParams): 'query' | 'body' {
  const m = method === 'HEAD' ? 'GET' : method;
  return m === 'GET' && !query.keys().next().done ? 'query' : 'body';
}

function describe(source: Exclude<IdSource, 'auto'>, field: string): string {
  return `${source}:${field}`;
}

/** Reads one field where MLflow reads it (the JSON body is normalised once per request). */
function fieldReader(input: ExtractInput): (ref: FieldRef & { from: IdSource }) => { source: Exclude<IdSource, 'auto'>; raw: string[] } {
  const fieldSource = requestFieldSource(input.method, input.query);
  let body: Record<string, unknown> | undefined;
  return (ref) => {
    const source: Exclude<IdSource, 'auto'> = ref.from === 'auto' ? fieldSource : ref.from;
    switch (source) {
      case 'query':
        return { source, raw: fromQuery(input.query, ref) };
      case 'body':
        body ??= normalizeBody(input.body);
        return { source, raw: fromJson(body, parseField(ref.field), 0, ref, '') };
      case 'path': {
        const v = input.params[ref.field];
        return { source, raw: v === undefined ? [] : [v] };
      }
      case 'header':
        return { source, raw: fromHeader(input.headers, ref) };
    }
  };
}

/** One referenced field's values (see ReferenceRef). */
export interface ExtractedReference {
  readonly kind: ReferenceRef['kind'];
  readonly values: readonly string[];
  readonly action: Action;
  /** 'body:source', 'header:x-mlflow-run-id'… for audit logs. */
  readonly from: string;
  /** MLflow refuses these values itself when they are non-local URIs with `..` segments (ReferenceRef.relativePathsRefusedUnlessTag; the tag is absent). */
  readonly mlflowRefusesRelativePaths?: true;
}

export type ExtractReferencesResult =
  | { readonly ok: true; readonly references: readonly ExtractedReference[]; /** As ExtractResult's (deferToMlflow). */ readonly mlflowRefuses?: string }
  | { readonly ok: false; readonly code: IdErrorCode; readonly message: string };

/**
 * The values of every referenced field the route lists, read exactly like ids (same spellings,
 * same ambiguity refusal). Absent fields are skipped: references are never required.
 * A JSON document nested in a body field (kind 'json') is passed on as its JSON text.
 */
export function extractReferences(route: RouteSpec, input: ExtractInput, opts: ExtractOptions = {}): ExtractReferencesResult {
  const refs = route.references ?? [];
  if (refs.length === 0) return { ok: true, references: [] };
  try {
    const reader = fieldReader(input);
    const out: ExtractedReference[] = [];
    let mlflowRefuses: string | undefined;
    for (const ref of refs) {
      let source: Exclude<IdSource, 'auto'>;
      let raw: string[];
      try {
        ({ source, raw } = ref.kind === 'json' ? jsonField(input, ref) : reader(ref));
      } catch (e) {
        // A mistyped field on the way to a reference (log-batch's `metrics` not a list): MLflow's
        // protobuf parsing refuses the request before the handler runs (see ExtractOptions).
        if (!(e instanceof IdError) || e.code !== 'GW_BAD_BODY' || !opts.deferToMlflow || !parsesProtobuf(route)) throw e;
        mlflowRefuses ??= e.message;
        continue;
      }
      const values = [...new Set(raw.filter((v) => v !== ''))];
      if (values.length === 0) continue;
      const refusesRelative = ref.relativePathsRefusedUnlessTag !== undefined && !namesTag(reader, ref, ref.relativePathsRefusedUnlessTag);
      out.push({ kind: ref.kind, values, action: ref.action, from: describe(source, ref.field), ...(refusesRelative ? { mlflowRefusesRelativePaths: true as const } : {}) });
    }
    return mlflowRefuses === undefined ? { ok: true, references: out } : { ok: true, references: out, mlflowRefuses };
  } catch (e) {
    if (e instanceof IdError) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
}

/** Whether the request's `tags[]` may hold `key` (true also when the tags cannot be read: the caller then keeps its checks). */
function namesTag(reader: ReturnType<typeof fieldReader>, ref: ReferenceRef, key: string): boolean {
  try {
    return reader({ ...ref, field: 'tags[].key', aliases: [] }).raw.includes(key);
  } catch {
    return true;
  }
}

/** A body field holding a JSON document, as an object or as a string: returned as JSON text. */
function jsonField(input: ExtractInput, ref: ReferenceRef): { source: 'body'; raw: string[] } {
  const body = normalizeBody(input.body);
  const segs = parseField(ref.field);
  const out: string[] = [];
  const walk = (node: unknown, i: number): void => {
    if (!isObject(node)) return;
    const seg = segs[i] as PathSeg;
    for (const key of segmentSpellings(seg)) {
      if (!Object.prototype.hasOwnProperty.call(node, key)) continue;
      const v = node[key];
      const items = keyed(seg.array ? (Array.isArray(v) ? v : []) : [v], seg);
      for (const item of items) {
        if (i < segs.length - 1) walk(item, i + 1);
        else if (typeof item === 'string') out.push(item);
        else if (item !== undefined && item !== null) out.push(JSON.stringify(item));
      }
    }
  };
  walk(body, 0);
  return { source: 'body', raw: out };
}

/**
 * Extract the ids the route's requirement names. For a `resource` requirement at least one id must
 * be present (a request naming nothing is refused); other requirement kinds without ids return [].
 */
export interface ExtractOptions {
  /**
   * Let MLflow answer requests it refuses anyway instead of the gateway's GW_MISSING_ID /
   * GW_BAD_BODY: a missing required id (test/mlflow-required-ids.test.ts proves, route by route,
   * that MLflow refuses every request lacking an id the table calls required) and a wrongly typed
   * field in a body MLflow parses as protobuf (ParseDict fails before the handler runs). Ambiguous
   * ids are still refused: MLflow would accept them.
   */
  readonly deferToMlflow?: boolean;
}

/** A Flask route whose handler parses the body into its protobuf request (handlers._get_request_message). */
export function parsesProtobuf(route: RouteSpec): boolean {
  return route.server === 'flask' && route.rpc !== undefined && /^[A-Z][A-Za-z0-9]*$/.test(route.rpc);
}

export function extractIds(route: RouteSpec, input: ExtractInput, opts: ExtractOptions = {}): ExtractResult {
  const req = route.requirement;
  let refs: readonly IdRef[];
  let defaultAction: Action;
  if (req.kind === 'resource') {
    refs = req.ids;
    defaultAction = req.action;
  } else if (req.kind === 'filtered') {
    refs = req.ids ?? [];
    defaultAction = 'read';
  } else if (req.kind === 'create') {
    // What a new object is built from (an endpoint's model definitions…): each ref names its action.
    refs = req.ids ?? [];
    defaultAction = 'use';
  } else {
    return { ok: true, ids: [] };
  }

  try {
    const reader = fieldReader(input);
    const out: ExtractedId[] = [];
    let mlflowRefuses: string | undefined;
    for (const ref of refs) {
      let source: Exclude<IdSource, 'auto'>;
      let raw: string[];
      try {
        ({ source, raw } = reader(ref));
      } catch (e) {
        if (!(e instanceof IdError) || e.code !== 'GW_BAD_BODY' || !opts.deferToMlflow || !parsesProtobuf(route)) throw e;
        mlflowRefuses ??= e.message;
        continue;
      }
      // proto3: an empty string is the unset value.
      const values = [...new Set(raw.filter((v) => v !== ''))];
      if (values.length === 0 && ref.default !== undefined) values.push(ref.default);
      if (values.length === 0) {
        if (ref.optional) continue;
        const message = `the request does not name ${describe(source, ref.field)} (${ref.kind})`;
        if (!opts.deferToMlflow) throw new IdError('GW_MISSING_ID', message);
        mlflowRefuses ??= message;
        continue;
      }
      out.push({ kind: ref.kind, values, action: ref.action ?? defaultAction, from: describe(source, ref.field), many: ref.many === true || ref.field.includes('[]') });
    }
    if (mlflowRefuses !== undefined) return { ok: true, ids: out, mlflowRefuses };
    if (req.kind === 'resource' && out.length === 0) {
      const names = refs.map((r) => r.field).join(' or ');
      throw new IdError('GW_MISSING_ID', `the request names no resource (expected ${names})`);
    }
    return { ok: true, ids: out };
  } catch (e) {
    if (e instanceof IdError) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
}

/**
 * The first of the route's `requires` fields the JSON body lacks, as Python's `not value` reads it
 * (absent, null, false, 0, "", [], {}); undefined when the route declares none or all are there.
 */
export function missingRequiredField(route: RouteSpec, input: ExtractInput): string | undefined {
  if (!route.requires) return undefined;
  const body = typeof input.body === 'object' && input.body !== null && !Array.isArray(input.body) ? (input.body as Record<string, unknown>) : {};
  return route.requires.find((field) => pythonFalsy(body[field]));
}

function pythonFalsy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}
