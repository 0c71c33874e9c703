// Id → protected-resource resolution: asks MLflow itself (the gateway talks to MLflow directly, and
// MLflow runs without its own auth) which experiment, registered model or gateway endpoint an id
// belongs to, with a short-lived, bounded, single-flight cache.
//
// What MLflow 3.17.2 offers, per id kind (all verified against a live 3.17.2 server):
//   experiment_id      GET  /api/2.0/mlflow/experiments/get?experiment_id=    → experiment.{experiment_id,name}
//   experiment_name    GET  /api/2.0/mlflow/experiments/get-by-name?experiment_name= → experiment.{experiment_id,name}
//   run_id             GET  /api/2.0/mlflow/runs/get?run_id=                  → run.info.experiment_id
//   trace_id           GET  /api/3.0/mlflow/traces/{trace_id} (GetTraceInfoV3) → trace.trace_info.trace_location
//                      .mlflow_experiment.experiment_id. v2 request ids are the same ids in 3.x (the v2
//                      GET traces/{request_id}/info calls the same store.get_trace_info), so one call covers both.
//                      MLflow 2.14 … 2.22 (no v3 API): GET /api/2.0/mlflow/traces/{request_id}/info → trace_info.experiment_id
//                      (options.traceInfo, from the detected version).
//   logged_model_id    GET  /api/2.0/mlflow/logged-models/{id}?allow_deleted=true → model.info.experiment_id
//   model_name         GET  /api/2.0/mlflow/registered-models/get?name=       → registered_model.name
//   artifact_path      no call for the path itself: first segment (after an optional workspaces/<ws>/) must be a
//                      canonical experiment id, then resolved like experiment_id (with X-MLFLOW-WORKSPACE: <ws>).
//   endpoint_id        GET  /api/3.0/mlflow/gateway/endpoints/get?endpoint_id= → endpoint.{endpoint_id,name}
//   endpoint_name      GET  /api/3.0/mlflow/gateway/endpoints/get?name=        → endpoint.{endpoint_id,name}
//                      (501 NOT_IMPLEMENTED when MLFLOW_ENABLE_AI_GATEWAY=false → admin_only)
//   dataset_id         GET  /api/3.0/mlflow/datasets/{id}/experiment-ids      → experiment_ids[] (answers 200 {}
//                      for an unknown dataset too, so an empty list is disambiguated with GET datasets/{id}:
//                      404 → not_found, else admin_only). GET datasets/{id} itself does NOT carry the ids.
//   job_id             GET  /ajax-api/3.0/jobs/{job_id} (FastAPI)              → params.experiment_id (absent → admin_only).
//                      Covers prompt-optimization jobs too (same job store; their params carry experiment_id).
//   issue_id           GET  /api/3.0/mlflow/issues/{issue_id}                  → issue.experiment_id
//   review_queue_id    GET  /api/3.0/mlflow/review-queues/get?queue_id=        → review_queue.experiment_id
//   label_schema_id    GET  /api/3.0/mlflow/label-schemas/get?schema_id=       → label_schema.experiment_id
//   scorer_id          GET  /api/3.0/mlflow/scorers/online-configs?scorer_ids= → configs[].experiment_id; a scorer
//                      without an online config is invisible through the REST API → admin_only.
//   gateway_secret_id  GET  /api/3.0/mlflow/gateway/secrets/get               → itself (a resource of its own, like an
//                      endpoint: READ/USE/EDIT/MANAGE).
//   gateway_model_definition_id GET /api/3.0/mlflow/gateway/model-definitions/get → itself. workspace_name → itself.
//
// Errors: 404 / RESOURCE_DOES_NOT_EXIST, and 400 INVALID_PARAMETER_VALUE (an id MLflow rejects, e.g. a
// non-numeric experiment id, names nothing) → not_found. Network failure, timeout, 5xx, any other status
// or an unexpected body → upstream_error, never cached. Successful resolutions are cached for ttlMs;
// not_found, and admin_only answers that depend on MLflow's data (dataset without experiments, job without
// experiment…), for min(2 s, ttlMs) so that a just-created object is found.
//
// Limitation: lookups carry no X-MLFLOW-WORKSPACE header (except artifact paths that name their
// workspace), so with MLflow workspaces enabled they see the default workspace only.
import { request, type Dispatcher } from 'undici';
import type { ResourceType } from '../policy/types.js';
import type { IdKind } from './types.js';

export interface ResolvedResource {
  type: ResourceType;
  id: string;
  /** Experiment name / registered model name / endpoint name / run name…, for pattern rules. */
  name?: string;
  /**
   * Set on children that carry grants of their own (runs, traces, logged models, model and prompt
   * versions): the resource that decides when the child has no grant. The policy checks both.
   */
  parent?: ResolvedResource;
}

export type Resolution =
  | { ok: true; resources: ResolvedResource[] }
  | {
      ok: false;
      reason: 'not_found' | 'admin_only' | 'upstream_error';
      message: string;
      malformed?: boolean;
      /**
       * MLflow's own error answer: for not_found, its answer to the lookup (what a read of this id
       * answers); for admin_only, what MLflow answers everyone for this value (an artifact path
       * MLflow refuses as invalid), so the caller gets it instead of a refusal.
       */
      mlflowAnswer?: MlflowErrorAnswer;
    };

/** MLflow's error answer, as its client shows it (status, error_code, message). */
export interface MlflowErrorAnswer {
  readonly status: number;
  readonly errorCode: string;
  readonly message: string;
  /** MLflow's whole error body as it sent it (error_class, sqlstate… on 3.x), parsed and verbatim. */
  readonly body?: Readonly<Record<string, unknown>>;
  readonly text?: string;
}

export interface ResolveOptions {
  /**
   * Ask MLflow even when a cached answer exists (the answer is cached afterwards as usual). Used
   * before a request naming an unknown object is passed on to MLflow: a cached not_found may be
   * up to notFoundTtlMs old, and the object may have been created (by someone else) since.
   */
  readonly fresh?: boolean;
}

export interface Resolver {
  resolve(kind: IdKind, value: string, opts?: ResolveOptions): Promise<Resolution>;
  /**
   * The server's default artifact root (`<root>/<experiment id>` is an experiment's default
   * artifact location), learned from experiment 0's artifact_location; undefined when it cannot
   * be told (experiment 0 missing, or a location not ending in /0).
   */
  artifactRoot(): Promise<string | undefined>;
  /** Drop cached entries about an experiment / model (after delete/rename). */
  invalidate(type: ResourceType, id: string): void;
  /** hits: answered from the cache or by joining an identical lookup in flight; misses: went to MLflow. */
  stats(): { hits: number; misses: number };
}

export interface ResolverOptions {
  upstreamUrl: string;
  /** Lifetime of a successful resolution (default 30000). 0 disables caching. */
  ttlMs?: number;
  /** Lifetime of not_found and data-dependent admin_only answers (default min(2000, ttlMs)). */
  notFoundTtlMs?: number;
  /** Cache bound; the oldest entries are evicted first (default 50000). */
  maxEntries?: number;
  /** Per MLflow call (default 10000). */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  /**
   * Resolve a registered model tagged mlflow.prompt.is_prompt=true (how OSS MLflow stores prompts)
   * to `{ type: 'prompt' }` instead of `registered_model` (default false).
   */
  promptsAsPrompt?: boolean;
  /**
   * Which trace API the MLflow behind serves (src/compat/capabilities.ts): 'v3' (default) asks
   * GetTraceInfoV3, 'v2' the 2.x GET /api/2.0/mlflow/traces/{request_id}/info, 'none' (no tracing
   * before 2.14) finds no trace. Read per lookup: the gateway re-detects the version on reconnect.
   */
  traceInfo?: () => 'v3' | 'v2' | 'none';
}

/** OSS prompts are registered models with this tag set to "true" (mlflow/prompt/constants.py). */
export const PROMPT_TAG = 'mlflow.prompt.is_prompt';

/** Whether a registered model's `tags` (MLflow's JSON: [{key, value}]) mark it as a prompt. */
export function isPromptTagged(tags: unknown): boolean {
  return Array.isArray(tags) && tags.some((t) => field(t, 'key') === PROMPT_TAG && String(field(t, 'value')).toLowerCase() === 'true');
}

// ---------------------------------------------------------------------------------------------
// A small JSON client for MLflow's REST API, shared with filtered-search.ts.

export interface MlflowCallOptions {
  method?: 'GET' | 'POST';
  query?: Record<string, string | readonly string[] | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  dispatcher?: Dispatcher | undefined;
  /** Charged with the answer's bytes as they arrive (the request's memory lease); may throw to refuse. */
  memory?: BodyCharge | undefined;
}

/** What mlflowCall needs of a memory lease (src/pipeline/memory-budget.ts): throws GW_BUSY when full. */
export interface BodyCharge {
  take(bytes: number): void;
}

export type MlflowCallResult =
  | { kind: 'ok'; status: number; json: unknown }
  /** MLflow answered with an error status; `json` is its error body when it sent one. */
  | { kind: 'http_error'; status: number; errorCode: string | undefined; message: string; json: unknown; text?: string }
  /** No usable answer: connection refused, reset, timeout, non-JSON 2xx. */
  | { kind: 'network_error'; message: string };

const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** MLflow's error body is kept verbatim up to this size (to relay it byte for byte). */
const MAX_ERROR_TEXT = 16 * 1024;

/** Joins the upstream base URL (which may carry a static prefix) and an API path. */
export function upstreamEndpoint(upstreamUrl: string, path: string, query?: MlflowCallOptions['query']): string {
  const url = new URL(upstreamUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  url.search = '';
  if (query) {
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined) continue;
      if (typeof v === 'string') url.searchParams.append(k, v);
      else for (const item of v) url.searchParams.append(k, item);
    }
  }
  return url.toString();
}

/** Carries a memory-budget refusal out of mlflowCall's network-error handling. */
class BudgetRefusal {
  readonly refused: unknown;
  constructor(refused: unknown) {
    this.refused = refused;
  }
}

export async function mlflowCall(upstreamUrl: string, path: string, opts: MlflowCallOptions = {}): Promise<MlflowCallResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  let statusCode: number;
  let text: string;
  try {
    const res = await request(upstreamEndpoint(upstreamUrl, path, opts.query), {
      method: opts.method ?? 'GET',
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    });
    statusCode = res.statusCode;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > MAX_RESPONSE_BYTES) {
        res.body.destroy();
        return { kind: 'network_error', message: `MLflow answer to ${path} exceeds ${MAX_RESPONSE_BYTES} bytes` };
      }
      if (opts.memory) {
        try {
          opts.memory.take(buf.length);
        } catch (refused) {
          res.body.destroy();
          throw new BudgetRefusal(refused);
        }
      }
      chunks.push(buf);
    }
    text = Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    // The memory budget refused the answer: the request fails with its error, not as a network error.
    if (err instanceof BudgetRefusal) throw err.refused;
    const e = err as { name?: string; code?: string; message?: string };
    const what = e.name === 'TimeoutError' || /TIMEOUT/i.test(e.code ?? '') ? `timed out after ${timeoutMs} ms` : (e.code ?? e.message ?? String(err));
    return { kind: 'network_error', message: `MLflow ${path}: ${what}` };
  }
  let json: unknown;
  try {
    json = text.length ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (statusCode >= 200 && statusCode < 300) {
    if (json === undefined) return { kind: 'network_error', message: `MLflow ${path}: answered ${statusCode} without a JSON body` };
    return { kind: 'ok', status: statusCode, json };
  }
  const errorCode = str(field(json, 'error_code'));
  const message = str(field(json, 'message')) ?? str(field(json, 'detail')) ?? text.slice(0, 300);
  return { kind: 'http_error', status: statusCode, errorCode, message, json, ...(text.length <= MAX_ERROR_TEXT ? { text } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Tiny, total accessors for untrusted JSON.

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a dotted path in a JSON value; undefined when any step is missing. */
export function field(v: unknown, path: string): unknown {
  let cur: unknown = v;
  for (const seg of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Experiment ids are INTEGER in MLflow's SQL store; accept the string or numeric JSON form. */
function idString(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  return undefined;
}

/** A canonical experiment id: what MLflow prints (no sign, no leading zeros). */
export function isCanonicalExperimentId(s: string): boolean {
  return /^(0|[1-9][0-9]{0,18})$/.test(s);
}

// ---------------------------------------------------------------------------------------------
// Artifact paths.

export type ArtifactPathTarget =
  | { ok: true; experimentId: string; workspace?: string }
  /** mlflowRefuses: MLflow's uri.validate_path_is_safe refuses this path for everyone ("Invalid path"). */
  | { ok: false; message: string; mlflowRefuses?: boolean };

/** MLflow's answer to an artifact path validate_path_is_safe refuses (3.17.2 utils/uri.py). */
export const MLFLOW_INVALID_PATH: MlflowErrorAnswer = { status: 400, errorCode: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' };

/**
 * The experiment an artifact-proxy path belongs to: `<exp_id>/...` or `workspaces/<ws>/<exp_id>/...`.
 * Anything else — root, `.`, empty, non-numeric first segment, traversal, absolute or Windows paths,
 * percent-encoding that changes the meaning — names no experiment (administrators only). MLflow decodes
 * the path once more before validating it (uri.validate_path_is_safe), so the decoded form must name
 * the same experiment and be traversal-free too.
 */
export function artifactPathExperiment(path: string): ArtifactPathTarget {
  const raw = experimentOfPath(path);
  if (!raw.ok) return raw;
  let decoded = path;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return { ok: false, message: 'artifact path has malformed percent-encoding' };
    }
    if (next === decoded) break;
    decoded = next;
  }
  if (decoded !== path) {
    const again = experimentOfPath(decoded);
    if (!again.ok) return again;
    if (again.experimentId !== raw.experimentId || again.workspace !== raw.workspace) {
      return { ok: false, message: 'artifact path names a different experiment once percent-decoded' };
    }
  }
  return raw;
}

function experimentOfPath(path: string): ArtifactPathTarget {
  // What MLflow's validate_path_is_safe refuses on its POSIX server (it decodes first, as
  // artifactPathExperiment does): `#`, a `..` segment, an absolute POSIX path. Those get MLflow's
  // own answer; the other refusals here (backslash, control characters, drive letters: MLflow
  // escapes or accepts them) are the gateway's own.
  if (path.includes('#')) return { ok: false, message: 'artifact path has a #', mlflowRefuses: true };
  if (path.startsWith('/')) return { ok: false, message: 'artifact path is absolute', mlflowRefuses: true };
  const segments = path.split('/');
  if (segments.includes('..')) return { ok: false, message: 'artifact path has a .. segment', mlflowRefuses: true };
  if (/[\\\u0000-\u001f\u007f]/.test(path)) return { ok: false, message: 'artifact path has a backslash or control character' };
  if (/^[a-zA-Z]:/.test(path)) return { ok: false, message: 'artifact path is absolute' };
  let i = 0;
  let workspace: string | undefined;
  if (segments[0] === 'workspaces') {
    const ws = segments[1];
    if (!ws || ws === '.') return { ok: false, message: 'artifact path names no workspace' };
    workspace = ws;
    i = 2;
  }
  const first = segments[i] ?? '';
  if (!isCanonicalExperimentId(first)) return { ok: false, message: 'artifact path does not start with an experiment id (root or non-experiment path: administrators only)' };
  return workspace === undefined ? { ok: true, experimentId: first } : { ok: true, experimentId: first, workspace };
}

// ---------------------------------------------------------------------------------------------

interface CacheEntry {
  readonly value: Resolution;
  readonly expires: number;
  /** Index keys (`type\0id`) this entry is filed under, for invalidate(). */
  readonly tags: readonly string[];
}

/** An uncached answer plus how long it may be cached. */
interface Looked {
  readonly value: Resolution;
  readonly ttl: 'long' | 'short' | 'none';
}

const API2 = '/api/2.0/mlflow';
const API3 = '/api/3.0/mlflow';

function notFound(message: string, malformed = false, mlflowAnswer?: MlflowErrorAnswer): Looked {
  return { value: { ok: false, reason: 'not_found', message, ...(malformed ? { malformed } : {}), ...(mlflowAnswer ? { mlflowAnswer } : {}) }, ttl: 'short' };
}
function adminOnly(message: string, ttl: Looked['ttl'] = 'none'): Looked {
  return { value: { ok: false, reason: 'admin_only', message }, ttl };
}
/**
 * An id that cannot be put into MLflow's lookup URL unchanged (/, \\, ?, #, %, . or ..): whether such an
 * object exists cannot be told, so only administrators may name it (it is never "not found", which
 * would let the request through to MLflow).
 */
function unlookable(what: string): Looked {
  return adminOnly(`this ${what} id cannot be looked up safely (it contains /, \\, ?, # or %): administrators only`);
}
function upstreamError(message: string): Looked {
  return { value: { ok: false, reason: 'upstream_error', message }, ttl: 'none' };
}
function found(resources: ResolvedResource[]): Looked {
  return { value: { ok: true, resources }, ttl: 'long' };
}

/** A value that goes into a URL path segment: refuse what could address another route. */
function pathSafe(value: string): boolean {
  return value.length > 0 && value.length <= 1024 && value !== '.' && value !== '..' && !/[/\\?#%]/.test(value);
}

function tagOf(type: ResourceType, id: string): string {
  return `${type}\u0000${id}`;
}

export function createResolver(opts: ResolverOptions): Resolver {
  const upstreamUrl = opts.upstreamUrl;
  const ttlMs = Math.max(0, opts.ttlMs ?? 30_000);
  const shortTtlMs = Math.max(0, Math.min(opts.notFoundTtlMs ?? 2_000, ttlMs));
  const maxEntries = Math.max(1, opts.maxEntries ?? 50_000);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const dispatcher = opts.dispatcher;

  const cache = new Map<string, CacheEntry>();
  const index = new Map<string, Set<string>>();
  const inflight = new Map<string, Promise<Resolution>>();
  let hits = 0;
  let misses = 0;

  function call(path: string, query?: MlflowCallOptions['query'], headers?: Record<string, string>): Promise<MlflowCallResult> {
    return mlflowCall(upstreamUrl, path, { query, timeoutMs, dispatcher, ...(headers ? { headers } : {}) });
  }

  /** Maps an MLflow call to JSON or to the failure Resolution. */
  function classify(r: MlflowCallResult, what: string): { json: unknown } | Looked {
    if (r.kind === 'ok') return { json: r.json };
    if (r.kind === 'network_error') return upstreamError(r.message);
    if (r.status === 404 || r.errorCode === 'RESOURCE_DOES_NOT_EXIST') {
      const body = typeof r.json === 'object' && r.json !== null && !Array.isArray(r.json) ? { body: r.json as Record<string, unknown>, ...(r.text ? { text: r.text } : {}) } : {};
      const answer = r.errorCode === 'RESOURCE_DOES_NOT_EXIST' && r.message ? { status: r.status, errorCode: r.errorCode, message: r.message, ...body } : undefined;
      return notFound(`${what} not found`, false, answer);
    }
    if (r.status === 400 && r.errorCode === 'INVALID_PARAMETER_VALUE') return notFound(`${what} not found (MLflow rejected the id: ${r.message})`, true);
    if (r.status >= 500 || r.status === 429) return upstreamError(`MLflow answered ${r.status} for ${what}: ${r.message}`);
    return upstreamError(`MLflow answered ${r.status} ${r.errorCode ?? ''} for ${what}: ${r.message}`.replace(/\s+/g, ' '));
  }

  function dropKey(key: string): void {
    const entry = cache.get(key);
    if (!entry) return;
    cache.delete(key);
    for (const tag of entry.tags) {
      const keys = index.get(tag);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) index.delete(tag);
    }
  }

  function store(key: string, looked: Looked, tags: readonly string[]): void {
    const life = looked.ttl === 'long' ? ttlMs : looked.ttl === 'short' ? shortTtlMs : 0;
    if (life <= 0) return;
    dropKey(key);
    cache.set(key, { value: looked.value, expires: Date.now() + life, tags });
    for (const tag of tags) {
      let keys = index.get(tag);
      if (!keys) index.set(tag, (keys = new Set()));
      keys.add(key);
    }
    while (cache.size > maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      dropKey(oldest);
    }
  }

  let generation = 0;

  /** Cache + single-flight around an uncached lookup. `directTags` also index not-found answers. */
  function cached(key: string, directTags: readonly string[], lookup: () => Promise<Looked>, fresh = false): Promise<Resolution> {
    const entry = fresh ? undefined : cache.get(key);
    if (entry) {
      if (entry.expires > Date.now()) {
        hits++;
        return Promise.resolve(entry.value);
      }
      dropKey(key);
    }
    const pending = fresh ? undefined : inflight.get(key);
    if (pending) {
      hits++;
      return pending;
    }
    misses++;
    const startedAt = generation;
    const p = (async (): Promise<Resolution> => {
      let looked: Looked;
      try {
        looked = await lookup();
      } catch (err) {
        looked = upstreamError(`resolver failure: ${(err as Error).message ?? String(err)}`);
      }
      // An invalidate() while this lookup ran may have made its answer stale: hand it to the
      // waiters, but do not cache it.
      if (generation === startedAt) {
        const tags = new Set(directTags);
        if (looked.value.ok) {
          for (const r of looked.value.resources) {
            tags.add(tagOf(r.type, r.id));
            if (r.parent) tags.add(tagOf(r.parent.type, r.parent.id));
          }
        }
        store(key, looked, [...tags]);
      }
      return looked.value;
    })();
    inflight.set(key, p);
    void p.finally(() => {
      if (inflight.get(key) === p) inflight.delete(key);
    });
    return p;
  }

  // --- experiments --------------------------------------------------------------------------

  function experimentFrom(json: unknown, what: string): Looked {
    const id = idString(field(json, 'experiment.experiment_id'));
    const name = str(field(json, 'experiment.name'));
    if (!id) return upstreamError(`unexpected MLflow answer for ${what}: no experiment.experiment_id`);
    return found([name === undefined ? { type: 'experiment', id } : { type: 'experiment', id, name }]);
  }

  function experimentById(id: string, workspace?: string, fresh = false): Promise<Resolution> {
    const key = workspace === undefined ? `experiment_id\u0000${id}` : `experiment_id\u0000${id}\u0000ws\u0000${workspace}`;
    return cached(key, [tagOf('experiment', id)], async () => {
      const res = await call(`${API2}/experiments/get`, { experiment_id: id }, workspace === undefined ? undefined : { 'x-mlflow-workspace': workspace });
      if (workspace !== undefined && res.kind === 'http_error' && res.errorCode === 'FEATURE_DISABLED') {
        // Without workspaces, `workspaces/<ws>/…` is a literal directory at the artifact root.
        return adminOnly('workspaces are not enabled on this MLflow server: a workspaces/… artifact path names no experiment', 'long');
      }
      const r = classify(res, `experiment ${id}`);
      return 'json' in r ? experimentFrom(r.json, `experiment ${id}`) : r;
    }, fresh);
  }

  /** A child object's experiment, with the experiment's name when MLflow still knows it. */
  async function experimentsOf(ids: readonly string[], what: string): Promise<Looked> {
    const unique = [...new Set(ids)];
    const resources: ResolvedResource[] = [];
    for (const id of unique) {
      const res = await experimentById(id);
      if (res.ok) resources.push(...res.resources);
      else if (res.reason === 'not_found') resources.push({ type: 'experiment', id });
      else return { value: { ...res, message: `${what}: ${res.message}` }, ttl: 'none' };
    }
    return found(resources);
  }

  /**
   * One GET whose answer carries the parent experiment id at `path`. With `child`, the answer is the
   * child resource (run, logged model…) with its experiment as parent, so grants on the child count.
   */
  async function childOfExperiment(
    what: string, apiPath: string, query: MlflowCallOptions['query'], idPath: string,
    child?: (json: unknown) => { type: ResourceType; id: string; name?: string | undefined },
  ): Promise<Looked> {
    const r = classify(await call(apiPath, query), what);
    if (!('json' in r)) return r;
    const expId = idString(field(r.json, idPath));
    if (!expId) return adminOnly(`${what} names no experiment`, 'short');
    const parents = await experimentsOf([expId], what);
    return child === undefined ? parents : asChild(parents, child(r.json));
  }

  /** The child resource with the one parent `parents` resolved to (or the failure as it is). */
  function asChild(parents: Looked, c: { type: ResourceType; id: string; name?: string | undefined }): Looked {
    if (!parents.value.ok) return parents;
    const parent = parents.value.resources[0];
    if (parent === undefined) return parents;
    return found([{ type: c.type, id: c.id, ...(c.name ? { name: c.name } : {}), parent }]);
  }

  /** An AI-gateway object that is a resource itself (secret, model definition): its id and name. */
  async function gatewayObject(what: string, apiPath: string, query: Record<string, string>, type: 'gateway_secret' | 'gateway_model_definition', idPath: string, namePath: string): Promise<Looked> {
    const res = await call(apiPath, query);
    if (res.kind === 'http_error' && (res.status === 501 || res.errorCode === 'NOT_IMPLEMENTED' || res.errorCode === 'FEATURE_DISABLED')) {
      return adminOnly(`the MLflow AI gateway is unavailable (${res.message}): ${what} is administrators only`, 'short');
    }
    const r = classify(res, what);
    if (!('json' in r)) return r;
    const id = str(field(r.json, idPath));
    const name = str(field(r.json, namePath));
    if (!id) return upstreamError(`unexpected MLflow answer for ${what}: no ${idPath}`);
    return found([name === undefined ? { type, id } : { type, id, name }]);
  }

  // --- per kind -------------------------------------------------------------------------------

  async function lookup(kind: IdKind, value: string): Promise<Looked> {
    switch (kind) {
      case 'experiment_id':
      case 'artifact_path':
      case 'workspace_name':
        throw new Error(`${kind} is resolved without the generic lookup`); // handled in resolve()
      case 'experiment_name': {
        const r = classify(await call(`${API2}/experiments/get-by-name`, { experiment_name: value }), `experiment named ${JSON.stringify(value)}`);
        return 'json' in r ? experimentFrom(r.json, 'experiments/get-by-name') : r;
      }
      case 'run_id':
        // The run's own id as MLflow states it (run_uuid is the same), and its name for pattern rules.
        return childOfExperiment(`run ${value}`, `${API2}/runs/get`, { run_id: value }, 'run.info.experiment_id', (json) => ({
          type: 'run', id: str(field(json, 'run.info.run_id')) ?? value, name: str(field(json, 'run.info.run_name')),
        }));
      case 'trace_id': {
        if (!pathSafe(value)) return unlookable('trace');
        const what = `trace ${value}`;
        const api = opts.traceInfo?.() ?? 'v3';
        if (api === 'none') return notFound(`${what} not found`);
        if (api === 'v2') {
          // MLflow 2.14 … 2.22: TraceInfo (v2) carries experiment_id directly; every v2 trace lives in an experiment.
          const r2 = classify(await call(`${API2}/traces/${encodeURIComponent(value)}/info`), what);
          if (!('json' in r2)) return r2;
          const expId2 = idString(field(r2.json, 'trace_info.experiment_id'));
          if (!expId2) return upstreamError(`unexpected MLflow answer for ${what}: no trace_info.experiment_id`);
          return experimentsOf([expId2], what);
        }
        const r = classify(await call(`${API3}/traces/${encodeURIComponent(value)}`), what);
        if (!('json' in r)) return r;
        const info = field(r.json, 'trace.trace_info');
        if (!isObject(info)) return upstreamError(`unexpected MLflow answer for ${what}: no trace.trace_info`);
        const type = field(info, 'trace_location.type');
        const expId = idString(field(info, 'trace_location.mlflow_experiment.experiment_id'));
        if (!expId || (type !== undefined && type !== 'MLFLOW_EXPERIMENT')) return adminOnly(`${what} is not stored in an MLflow experiment`, 'short');
        // v2 request ids and v3 trace ids are the same ids in 3.x: grants are keyed by the trace id MLflow reports.
        return asChild(await experimentsOf([expId], what), { type: 'trace', id: str(field(info, 'trace_id')) ?? value });
      }
      case 'logged_model_id':
        if (!pathSafe(value)) return unlookable('logged model');
        return childOfExperiment(`logged model ${value}`, `${API2}/logged-models/${encodeURIComponent(value)}`, { allow_deleted: 'true' }, 'model.info.experiment_id', (json) => ({
          type: 'logged_model', id: str(field(json, 'model.info.model_id')) ?? value, name: str(field(json, 'model.info.name')),
        }));
      case 'model_name': {
        const r = classify(await call(`${API2}/registered-models/get`, { name: value }), `registered model ${JSON.stringify(value)}`);
        if (!('json' in r)) return r;
        const name = str(field(r.json, 'registered_model.name'));
        if (!name) return upstreamError('unexpected MLflow answer for registered-models/get: no registered_model.name');
        const type = opts.promptsAsPrompt && isPromptTagged(field(r.json, 'registered_model.tags')) ? 'prompt' : 'registered_model';
        return found([{ type, id: name, name }]);
      }
      case 'endpoint_id':
      case 'endpoint_name': {
        if (kind === 'endpoint_name' && !value) return notFound('empty endpoint name');
        const what = kind === 'endpoint_id' ? `gateway endpoint ${value}` : `gateway endpoint named ${JSON.stringify(value)}`;
        const res = await call(`${API3}/gateway/endpoints/get`, kind === 'endpoint_id' ? { endpoint_id: value } : { name: value });
        if (res.kind === 'http_error' && (res.status === 501 || res.errorCode === 'NOT_IMPLEMENTED' || res.errorCode === 'FEATURE_DISABLED')) {
          return adminOnly(`the MLflow AI gateway is unavailable (${res.message}): ${what} is administrators only`, 'short');
        }
        const r = classify(res, what);
        if (!('json' in r)) return r;
        const id = str(field(r.json, 'endpoint.endpoint_id'));
        const name = str(field(r.json, 'endpoint.name'));
        if (!id) return upstreamError(`unexpected MLflow answer for ${what}: no endpoint.endpoint_id`);
        return found([name === undefined ? { type: 'gateway_endpoint', id } : { type: 'gateway_endpoint', id, name }]);
      }
      case 'gateway_secret_id':
        return gatewayObject(`gateway secret ${value}`, `${API3}/gateway/secrets/get`, { secret_id: value }, 'gateway_secret', 'secret.secret_id', 'secret.secret_name');
      case 'gateway_model_definition_id':
        return gatewayObject(
          `gateway model definition ${value}`,
          `${API3}/gateway/model-definitions/get`,
          { model_definition_id: value },
          'gateway_model_definition',
          'model_definition.model_definition_id',
          'model_definition.name',
        );
      case 'dataset_id': {
        if (!pathSafe(value)) return unlookable('dataset');
        const what = `dataset ${value}`;
        const r = classify(await call(`${API3}/datasets/${encodeURIComponent(value)}/experiment-ids`), what);
        if (!('json' in r)) return r;
        const raw = field(r.json, 'experiment_ids');
        const ids = Array.isArray(raw) ? raw.map(idString).filter((x): x is string => x !== undefined) : [];
        if (ids.length > 0) return experimentsOf(ids, what);
        // MLflow answers {} for an unknown dataset too: tell "no such dataset" from "linked to nothing".
        const exists = classify(await call(`${API3}/datasets/${encodeURIComponent(value)}`), what);
        if (!('json' in exists)) return exists;
        return adminOnly(`${what} is linked to no experiment`, 'short');
      }
      case 'job_id': {
        if (!pathSafe(value)) return unlookable('job');
        const what = `job ${value}`;
        const r = classify(await call(`/ajax-api/3.0/jobs/${encodeURIComponent(value)}`), what);
        if (!('json' in r)) return r;
        const expId = idString(field(r.json, 'params.experiment_id'));
        if (!expId) return adminOnly(`${what} names no experiment in its params`, 'short');
        return experimentsOf([expId], what);
      }
      case 'issue_id':
        if (!pathSafe(value)) return unlookable('issue');
        return childOfExperiment(`issue ${value}`, `${API3}/issues/${encodeURIComponent(value)}`, undefined, 'issue.experiment_id');
      case 'review_queue_id':
        return childOfExperiment(`review queue ${value}`, `${API3}/review-queues/get`, { queue_id: value }, 'review_queue.experiment_id');
      case 'label_schema_id':
        return childOfExperiment(`label schema ${value}`, `${API3}/label-schemas/get`, { schema_id: value }, 'label_schema.experiment_id');
      case 'scorer_id': {
        const what = `scorer ${value}`;
        const r = classify(await call(`${API3}/scorers/online-configs`, { scorer_ids: value }), what);
        if (!('json' in r)) return r;
        const configs = field(r.json, 'configs');
        const ids = Array.isArray(configs)
          ? configs.filter((c) => field(c, 'scorer_id') === value).map((c) => idString(field(c, 'experiment_id'))).filter((x): x is string => x !== undefined)
          : [];
        if (ids.length === 0) return adminOnly(`${what}: MLflow exposes no experiment for it (no online scoring config)`, 'short');
        return experimentsOf(ids, what);
      }
    }
  }

  async function resolve(kind: IdKind, value: string, ro: ResolveOptions = {}): Promise<Resolution> {
    const fresh = ro.fresh === true;
    if (typeof value !== 'string') return { ok: false, reason: 'not_found', message: `${kind}: not a string` };
    switch (kind) {
      case 'workspace_name':
        if (!value) return { ok: false, reason: 'not_found', message: 'empty workspace name' };
        return { ok: true, resources: [{ type: 'workspace', id: value, name: value }] };
      case 'artifact_path': {
        const target = artifactPathExperiment(value);
        if (!target.ok) return { ok: false, reason: 'admin_only', message: target.message, ...(target.mlflowRefuses ? { mlflowAnswer: MLFLOW_INVALID_PATH } : {}) };
        return experimentById(target.experimentId, target.workspace, fresh);
      }
      case 'experiment_id':
        if (!value) return { ok: false, reason: 'not_found', message: 'empty experiment id' };
        return experimentById(value, undefined, fresh);
      default: {
        if (!value) return { ok: false, reason: 'not_found', message: `empty ${kind}` };
        const direct: string[] = [];
        if (kind === 'model_name') direct.push(tagOf('registered_model', value), tagOf('prompt', value));
        if (kind === 'endpoint_id' || kind === 'endpoint_name') direct.push(tagOf('gateway_endpoint', value));
        if (kind === 'gateway_secret_id') direct.push(tagOf('gateway_secret', value));
        if (kind === 'gateway_model_definition_id') direct.push(tagOf('gateway_model_definition', value));
        return cached(`${kind}\u0000${value}`, direct, () => lookup(kind, value), fresh);
      }
    }
  }

  function invalidate(type: ResourceType, id: string): void {
    generation++;
    // Lookups in flight may carry pre-invalidation data: later callers must not join them.
    inflight.clear();
    const keys = index.get(tagOf(type, id));
    if (keys) for (const key of [...keys]) dropKey(key);
    if (type === 'experiment') dropKey(`experiment_id\u0000${id}`);
    if (type === 'registered_model' || type === 'prompt') dropKey(`model_name\u0000${id}`);
    if (type === 'gateway_secret') dropKey(`gateway_secret_id\u0000${id}`);
    if (type === 'gateway_model_definition') dropKey(`gateway_model_definition_id\u0000${id}`);
    if (type === 'gateway_endpoint') {
      dropKey(`endpoint_id\u0000${id}`);
      dropKey(`endpoint_name\u0000${id}`);
    }
  }

  let root: { value: string | undefined; expires: number } | undefined;
  async function artifactRoot(): Promise<string | undefined> {
    if (root && root.expires > Date.now()) return root.value;
    const r = await call(`${API2}/experiments/get`, { experiment_id: '0' });
    if (r.kind === 'network_error' || (r.kind === 'http_error' && r.status >= 500)) return undefined; // not cached: ask again next time
    const loc = r.kind === 'ok' ? str(field(r.json, 'experiment.artifact_location')) : undefined;
    const value = loc !== undefined && /\/0\/?$/.test(loc) ? loc.replace(/\/0\/?$/, '') : undefined;
    root = { value, expires: Date.now() + Math.max(ttlMs, 60_000) };
    return value;
  }

  return {
    resolve,
    artifactRoot,
    invalidate,
    stats: () => ({ hits, misses }),
  };
}
