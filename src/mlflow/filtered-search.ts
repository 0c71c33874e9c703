// Full-page filtered search on top of MLflow's paginated search APIs.
//
// MLflow's own basic-auth (mlflow/server/auth, §3.4 of the research notes) post-filters a search
// response and then re-runs the store search page by page until `max_results` is filled; pages of
// SearchModelVersions may even come back short. The gateway does the same kind of work here, but
// with its own signed continuation state (continuation.ts) so pagination is exact:
//
//   state = { upstreamToken, skip, batchSize }
//     upstreamToken  MLflow's page token that produced the upstream page being consumed (undefined =
//                    the first upstream page),
//     skip           how many items of that upstream page were already consumed (returned or
//                    dropped as unreadable),
//     batchSize      the upstream max_results, fixed for the whole pagination so upstream tokens
//                    (offsets) keep pointing where they did.
//   A resume re-fetches the upstream page `upstreamToken` and skips `skip` items, so the
//   concatenation of all gateway pages is exactly the filtered upstream order: no duplicates,
//   nothing missing (as long as the upstream result set does not change meanwhile; MLflow's offset
//   tokens have the same property).
//
// Cost per gateway page (N = items on the server matching the client's filter, d = the readable
// fraction, B = batch size, P = page size):
//   * upstream calls: ≈ 1 + ceil(P / (d·B)) — one re-fetch of the partially consumed upstream
//     page plus the pages needed to find P readable items; bounded by maxUpstreamPages (then the
//     page is returned short, with a token to continue). A sparse reader on a big server pays for
//     the whole scan: paging through everything costs N/B upstream calls in total.
//   * each upstream call costs MLflow an OFFSET query: O(offset + B) rows in the database, so a full
//     pagination is O(N²/B) row visits — the same shape as MLflow's own pagination.
//   * gateway memory: O(B + P) per request; readable() is called once per scanned item.
//
// Before MLflow 3.17 the experiment grammar has no experiment_id attribute (2.9.2 … 3.16.1 answer 400
// "Invalid attribute key 'experiment_id'") and no IN list except for run_id, so on those versions
// (src/compat/capabilities.ts) the id-based search is the checked scan below, except for the
// experiment searches per-id gets answer exactly (experiments-by-get.ts).
//
// Id-based experiment search (searchExperimentsByIds): MLflow 3.17.2's search_experiments filter
// grammar (SearchExperimentsUtils) accepts the attributes name, experiment_id, creation_time,
// last_update_time and tags, joined with AND only; `experiment_id` supports =, !=, IN and NOT IN
// (LIST_SUPPORTED_KEYS = {"experiment_id"}; sqlalchemy_store._get_search_experiments_filter_clauses
// coerces the values to INTEGER). So when a caller's access comes only from explicit grants, the
// gateway appends `AND experiment_id IN ('1','7',…)` to the client's filter and MLflow returns just
// those experiments, in the client's order, with MLflow's own pagination: one upstream call per
// gateway page (two when resuming inside an upstream page), database cost O(|ids| log n + offset + B)
// instead of a scan of every experiment on the server. The IN list is parsed by sqlparse, whose
// grouping limit rejects lists of roughly 5000 ids ("Error on parsing filter"); above
// MAX_IDS_IN_FILTER (1000 ids, ~0.1 s of parsing per call measured) the helper falls back to the
// scan. Either way the caller keeps the readable() check as defence in depth: the appended clause
// is concatenated to client text.
import type { Dispatcher } from 'undici';
import { isCanonicalExperimentId, isPromptTagged, mlflowCall, type BodyCharge, type MlflowCallResult, type ResolvedResource } from './resolver.js';

// ---------------------------------------------------------------------------------------------
// Generic part.

export interface PageSource<T> {
  fetch(pageToken: string | undefined, maxResults: number): Promise<{ items: T[]; nextPageToken: string | undefined }>;
  /** The largest max_results the upstream API accepts (caps the default batch size). */
  readonly maxBatchSize?: number;
  /**
   * The batch size for a new pagination when the caller gives none. Default max(maxResults·2, 100);
   * a source whose items are (almost) all readable uses maxResults, so every gateway page is one
   * upstream call that ends exactly on an upstream page boundary (no re-fetch on resume).
   */
  readonly defaultBatchSize?: (maxResults: number) => number;
}

/** Where a filtered pagination resumes; what the gateway signs into its page token. */
export interface FilteredSearchState {
  upstreamToken: string | undefined;
  skip: number;
  batchSize: number;
}

export interface FilteredPageOptions<T> {
  source: PageSource<T>;
  readable: (item: T) => boolean | Promise<boolean>;
  /** The page size the client asked for. */
  maxResults: number;
  /** The gateway's token, already verified and decoded (see parseSearchState); undefined = first page. */
  resumeToken: FilteredSearchState | undefined;
  /** Upstream max_results for a new pagination (default source.defaultBatchSize, else max(maxResults·2, 100); capped at source.maxBatchSize). Ignored on resume. */
  batchSize?: number;
  /** Upstream calls allowed for this page (default 1000); when spent, the page is returned short with a next token. */
  maxUpstreamPages?: number;
}

export interface FilteredPageResult<T> {
  items: T[];
  /** Where the next page starts; undefined when the upstream is exhausted. */
  next: FilteredSearchState | undefined;
  /** Upstream calls made for this page (for metrics). */
  upstreamPages: number;
  /** True when maxUpstreamPages ran out before the page was full. */
  truncated: boolean;
}

export const DEFAULT_MAX_UPSTREAM_PAGES = 1000;

export function defaultBatchSize(maxResults: number, maxBatchSize = Number.MAX_SAFE_INTEGER): number {
  return Math.max(1, Math.min(Math.max(maxResults * 2, 100), maxBatchSize));
}

export async function filteredPage<T>(opts: FilteredPageOptions<T>): Promise<FilteredPageResult<T>> {
  const { source, readable, maxResults } = opts;
  if (!Number.isSafeInteger(maxResults) || maxResults < 1) throw new RangeError(`maxResults must be a positive integer, got ${maxResults}`);
  const maxPages = opts.maxUpstreamPages ?? DEFAULT_MAX_UPSTREAM_PAGES;
  if (!Number.isSafeInteger(maxPages) || maxPages < 1) throw new RangeError(`maxUpstreamPages must be a positive integer, got ${maxPages}`);
  const cap = source.maxBatchSize ?? Number.MAX_SAFE_INTEGER;
  const resume = opts.resumeToken;
  const batchSize = resume ? resume.batchSize : Math.min(opts.batchSize ?? source.defaultBatchSize?.(maxResults) ?? defaultBatchSize(maxResults, cap), cap);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);

  let token = resume?.upstreamToken;
  let skip = resume?.skip ?? 0;
  const items: T[] = [];
  let pages = 0;
  while (pages < maxPages) {
    const page = await source.fetch(token, batchSize);
    pages++;
    const upstream = page.items;
    for (let i = skip; i < upstream.length; i++) {
      const item = upstream[i] as T;
      const r = readable(item);
      if (typeof r === 'boolean' ? r : await r) items.push(item);
      if (items.length === maxResults) {
        const consumed = i + 1;
        let next: FilteredSearchState | undefined;
        if (consumed < upstream.length) next = { upstreamToken: token, skip: consumed, batchSize };
        else if (page.nextPageToken) next = { upstreamToken: page.nextPageToken, skip: 0, batchSize };
        return { items, next, upstreamPages: pages, truncated: false };
      }
    }
    if (!page.nextPageToken) return { items, next: undefined, upstreamPages: pages, truncated: false };
    token = page.nextPageToken;
    skip = 0;
  }
  return { items, next: { upstreamToken: token, skip: 0, batchSize }, upstreamPages: pages, truncated: true };
}

/** Validates a decoded gateway token (decodeToken's result) as a FilteredSearchState. */
export function parseSearchState(state: object | undefined, maxBatchSize = Number.MAX_SAFE_INTEGER): FilteredSearchState | undefined {
  if (!state) return undefined;
  const s = state as { upstreamToken?: unknown; skip?: unknown; batchSize?: unknown };
  if (s.upstreamToken !== undefined && (typeof s.upstreamToken !== 'string' || s.upstreamToken.length === 0)) return undefined;
  if (typeof s.skip !== 'number' || !Number.isSafeInteger(s.skip) || s.skip < 0) return undefined;
  if (typeof s.batchSize !== 'number' || !Number.isSafeInteger(s.batchSize) || s.batchSize < 1 || s.batchSize > maxBatchSize) return undefined;
  if (s.skip > s.batchSize) return undefined;
  return { upstreamToken: s.upstreamToken, skip: s.skip, batchSize: s.batchSize };
}

/**
 * search_runs / search_traces / logged-model search: keep only the readable requested experiment
 * ids (deduplicated, request order). Callers refuse the request when nothing remains.
 */
export async function narrowExperimentIds(requested: readonly string[] | undefined, readable: (id: string) => boolean | Promise<boolean>): Promise<string[]> {
  if (!requested) return [];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const id of requested) {
    if (typeof id !== 'string' || seen.has(id)) continue;
    seen.add(id);
    if (await readable(id)) out.push(id);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Concrete MLflow searches.

/** MLflow answered a search with an error (or not at all): relay `status` / `body` to the client. */
export class MlflowSearchError extends Error {
  /** MLflow's HTTP status; undefined when MLflow could not be reached. */
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  /** MLflow's error body, when it sent one. */
  readonly body: unknown;
  constructor(message: string, status: number | undefined, errorCode: string | undefined, body: unknown) {
    super(message);
    this.name = 'MlflowSearchError';
    this.status = status;
    this.errorCode = errorCode;
    this.body = body;
  }
}

/** A search bound to one client request. */
export interface SearchBinding<T> {
  source: PageSource<T>;
  /** Unique key of an item (experiment id, model name, [name, version], logged model id). */
  itemKey: (item: T) => string;
  /** The protected resource the item belongs to, for the readable() check (with its name for pattern rules). */
  resourceOf: (item: T) => ResolvedResource;
  /** The field of MLflow's response that holds the items. */
  itemsField: 'experiments' | 'registered_models' | 'model_versions' | 'models' | 'runs' | 'traces';
}

export interface SourceOptions {
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  /** registeredModelsSource: resourceOf() gives `prompt` for models tagged mlflow.prompt.is_prompt=true (as the resolver's option). */
  promptsAsPrompt?: boolean;
  /** Extra headers for every upstream call (the client's X-MLFLOW-WORKSPACE, so the search sees the caller's workspace). */
  headers?: Record<string, string>;
  /** The request's memory lease, charged with every upstream page read (src/pipeline/memory-budget.ts). */
  memory?: BodyCharge;
  /** The experiment (with its name, for pattern rules) that children of a search belong to. */
  experimentOf?: (experimentId: string) => ResolvedResource | undefined;
}

/** Client parameters: a parsed JSON body, or the query string of a GET. */
export type SearchParams = URLSearchParams | Readonly<Record<string, unknown>>;

export interface MlflowExperiment {
  experiment_id: string;
  name: string;
  [field: string]: unknown;
}
export interface MlflowRegisteredModel {
  name: string;
  [field: string]: unknown;
}
export interface MlflowModelVersion {
  name: string;
  version: string;
  [field: string]: unknown;
}
export interface MlflowLoggedModel {
  info: { model_id: string; experiment_id: string; [field: string]: unknown };
  [field: string]: unknown;
}

/** Max max_results per API in 3.17.2 (handlers.py / store constants). MLflow sets none for logged models; 1000 bounds response size. */
export const MAX_BATCH = {
  experiments: 50_000, // SEARCH_MAX_RESULTS_THRESHOLD
  registeredModels: 1_000, // SEARCH_REGISTERED_MODEL_MAX_RESULTS_THRESHOLD
  modelVersions: 200_000, // SEARCH_MODEL_VERSION_MAX_RESULTS_THRESHOLD
  loggedModels: 1_000,
} as const;

/** Above this many ids, searchExperimentsByIds scans instead (sqlparse rejects ~5000-id IN lists). */
export const MAX_IDS_IN_FILTER = 1000;

function lowerCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** A client parameter under its snake_case or lowerCamelCase name (protobuf's ParseDict takes both). */
export function param(p: SearchParams, name: string): unknown {
  if (p instanceof URLSearchParams) {
    const all = p.getAll(name);
    return all.length > 1 ? all : all[0];
  }
  return p[name] ?? p[lowerCamel(name)];
}

export function stringParam(p: SearchParams, name: string): string | undefined {
  const v = param(p, name);
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

export function stringListParam(p: SearchParams, name: string): string[] | undefined {
  const v = param(p, name);
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return undefined;
}

export function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function callOpts(opts: SourceOptions): { timeoutMs?: number; dispatcher?: Dispatcher; headers?: Record<string, string>; memory?: BodyCharge } {
  return {
    ...(opts.memory ? { memory: opts.memory } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    ...(opts.headers ? { headers: opts.headers } : {}),
  };
}

export function searchFailure(r: Exclude<MlflowCallResult, { kind: 'ok' }>, what: string): MlflowSearchError {
  if (r.kind === 'network_error') return new MlflowSearchError(r.message, undefined, undefined, undefined);
  return new MlflowSearchError(`MLflow answered ${r.status} to ${what}: ${r.message}`, r.status, r.errorCode, r.json);
}

export function pageOf<T>(json: unknown, field: string, parse: (v: unknown) => T | undefined): { items: T[]; nextPageToken: string | undefined } {
  const obj = asObject(json) ?? {};
  const raw = obj[field];
  const items: T[] = [];
  if (Array.isArray(raw)) {
    for (const v of raw) {
      const item = parse(v);
      if (item !== undefined) items.push(item); // malformed items are dropped: nothing to decide on
    }
  }
  const token = obj.next_page_token;
  return { items, nextPageToken: typeof token === 'string' && token.length > 0 ? token : undefined };
}

function parseExperiment(v: unknown): MlflowExperiment | undefined {
  const o = asObject(v);
  return o && typeof o.experiment_id === 'string' && typeof o.name === 'string' ? (o as MlflowExperiment) : undefined;
}
function parseRegisteredModel(v: unknown): MlflowRegisteredModel | undefined {
  const o = asObject(v);
  return o && typeof o.name === 'string' ? (o as MlflowRegisteredModel) : undefined;
}
function parseModelVersion(v: unknown): MlflowModelVersion | undefined {
  const o = asObject(v);
  return o && typeof o.name === 'string' && typeof o.version === 'string' ? (o as MlflowModelVersion) : undefined;
}
function parseLoggedModel(v: unknown): MlflowLoggedModel | undefined {
  const o = asObject(v);
  const info = asObject(o?.info);
  return o && info && typeof info.model_id === 'string' && typeof info.experiment_id === 'string' ? (o as MlflowLoggedModel) : undefined;
}

const experimentBinding = {
  itemKey: (e: MlflowExperiment) => e.experiment_id,
  resourceOf: (e: MlflowExperiment): ResolvedResource => ({ type: 'experiment', id: e.experiment_id, name: e.name }),
  itemsField: 'experiments' as const,
};

function experimentsSearch(upstreamUrl: string, body: Record<string, unknown>, opts: SourceOptions): PageSource<MlflowExperiment> {
  return {
    maxBatchSize: MAX_BATCH.experiments,
    async fetch(pageToken, maxResults) {
      const r = await mlflowCall(upstreamUrl, '/api/2.0/mlflow/experiments/search', {
        method: 'POST',
        body: { ...body, max_results: maxResults, ...(pageToken ? { page_token: pageToken } : {}) },
        ...callOpts(opts),
      });
      if (r.kind !== 'ok') throw searchFailure(r, 'experiments/search');
      return pageOf(r.json, 'experiments', parseExperiment);
    },
  };
}

function experimentSearchBody(requestBody: SearchParams): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const filter = stringParam(requestBody, 'filter');
  if (filter !== undefined) body.filter = filter;
  const orderBy = stringListParam(requestBody, 'order_by');
  if (orderBy !== undefined) body.order_by = orderBy;
  const viewType = param(requestBody, 'view_type');
  if (typeof viewType === 'string' || typeof viewType === 'number') body.view_type = viewType;
  else if (Array.isArray(viewType) && (typeof viewType[0] === 'string' || typeof viewType[0] === 'number')) body.view_type = viewType[0];
  return body;
}

/** POST /api/2.0/mlflow/experiments/search, keeping the client's filter, order_by and view_type. */
export function experimentsSource(upstreamUrl: string, requestBody: SearchParams, opts: SourceOptions = {}): SearchBinding<MlflowExperiment> {
  return { source: experimentsSearch(upstreamUrl, experimentSearchBody(requestBody), opts), ...experimentBinding };
}

/** `experiment_id IN ('1','2')` for canonical ids (others are dropped: they name no experiment). */
export function experimentIdFilter(ids: readonly string[]): string {
  const canonical = [...new Set(ids.filter(isCanonicalExperimentId))];
  return `experiment_id IN (${canonical.map((id) => `'${id}'`).join(',')})`;
}

/**
 * Search only the experiments in `ids` (the caller's explicitly granted ones), with the client's
 * filter, order and view type: MLflow does the narrowing (see the top of this file). `mode` says
 * which strategy was used: 'ids' (narrowed filter), 'scan' (too many ids: plain search, the caller's
 * readable() does the narrowing) or 'empty' (no valid id: no upstream call at all). Keep the mode in
 * the page token's context so a pagination does not switch strategy between pages.
 */
export function searchExperimentsByIds(
  upstreamUrl: string,
  ids: readonly string[],
  requestBody: SearchParams,
  opts: SourceOptions = {},
  /** The MLflow behind accepts `experiment_id IN (…)` (3.17 and later, src/compat/capabilities.ts); else scan. */
  idFilter = true,
): SearchBinding<MlflowExperiment> & { mode: 'ids' | 'scan' | 'empty' } {
  const canonical = [...new Set(ids.filter(isCanonicalExperimentId))];
  const body = experimentSearchBody(requestBody);
  if (canonical.length === 0) {
    return { source: { maxBatchSize: MAX_BATCH.experiments, fetch: async () => ({ items: [], nextPageToken: undefined }) }, ...experimentBinding, mode: 'empty' };
  }
  if (!idFilter || canonical.length > MAX_IDS_IN_FILTER) return { source: experimentsSearch(upstreamUrl, body, opts), ...experimentBinding, mode: 'scan' };
  const clientFilter = typeof body.filter === 'string' ? body.filter.trim() : '';
  const idClause = experimentIdFilter(canonical);
  body.filter = clientFilter ? `${clientFilter} AND ${idClause}` : idClause;
  // Every item MLflow returns is expected to be readable: one upstream call per gateway page.
  const source = { ...experimentsSearch(upstreamUrl, body, opts), defaultBatchSize: (maxResults: number) => maxResults };
  return { source, ...experimentBinding, mode: 'ids' };
}

function registrySearch<T>(
  upstreamUrl: string,
  path: string,
  field: string,
  parse: (v: unknown) => T | undefined,
  query: SearchParams,
  maxBatchSize: number,
  opts: SourceOptions,
): PageSource<T> {
  const filter = stringParam(query, 'filter');
  const orderBy = stringListParam(query, 'order_by');
  return {
    maxBatchSize,
    async fetch(pageToken, maxResults) {
      const r = await mlflowCall(upstreamUrl, path, {
        method: 'GET',
        query: { filter, order_by: orderBy, max_results: String(maxResults), page_token: pageToken },
        ...callOpts(opts),
      });
      if (r.kind !== 'ok') throw searchFailure(r, path);
      return pageOf(r.json, field, parse);
    },
  };
}

/** GET /api/2.0/mlflow/registered-models/search, keeping the client's filter and order_by. */
export function registeredModelsSource(upstreamUrl: string, query: SearchParams, opts: SourceOptions = {}): SearchBinding<MlflowRegisteredModel> {
  return {
    source: registrySearch(upstreamUrl, '/api/2.0/mlflow/registered-models/search', 'registered_models', parseRegisteredModel, query, MAX_BATCH.registeredModels, opts),
    itemKey: (m) => m.name,
    resourceOf: (m) => ({ type: opts.promptsAsPrompt && isPromptTagged(m.tags) ? 'prompt' : 'registered_model', id: m.name, name: m.name }),
    itemsField: 'registered_models',
  };
}

/** GET /api/2.0/mlflow/model-versions/search, keeping the client's filter and order_by. Versions belong to their registered model. */
export function modelVersionsSource(upstreamUrl: string, query: SearchParams, opts: SourceOptions = {}): SearchBinding<MlflowModelVersion> {
  return {
    source: registrySearch(upstreamUrl, '/api/2.0/mlflow/model-versions/search', 'model_versions', parseModelVersion, query, MAX_BATCH.modelVersions, opts),
    itemKey: (v) => JSON.stringify([v.name, v.version]),
    // A version is a child with grants of its own; a prompt's versions carry the prompt tag too.
    resourceOf: (v) => {
      const prompt = opts.promptsAsPrompt === true && isPromptTagged(v.tags);
      const id = `${v.name}/${v.version}`;
      return { type: prompt ? 'prompt_version' : 'model_version', id, name: id, parent: { type: prompt ? 'prompt' : 'registered_model', id: v.name, name: v.name } };
    },
    itemsField: 'model_versions',
  };
}

/**
 * POST /api/2.0/mlflow/logged-models/search, keeping experiment_ids, filter, datasets and order_by
 * (MLflow's logged-model page token is bound to exactly these). Narrowing experiment_ids with
 * narrowExperimentIds first usually makes post-filtering unnecessary.
 */
export function loggedModelsSource(
  upstreamUrl: string, requestBody: SearchParams, opts: SourceOptions = {},
  /**
   * Child grants (issue #16): search these experiments instead of the client's, and with
   * `modelIds` ask MLflow for exactly those logged models (`attributes.model_id IN (…)` ANDed to
   * the client's filter; mode 'ids'), so the cost follows the granted models.
   */
  narrow?: { experimentIds: readonly string[]; modelIds?: readonly string[] | undefined },
): SearchBinding<MlflowLoggedModel> & { mode: 'ids' | 'scan' } {
  const body: Record<string, unknown> = {};
  const experimentIds = narrow ? [...narrow.experimentIds] : stringListParam(requestBody, 'experiment_ids');
  if (experimentIds !== undefined) body.experiment_ids = experimentIds;
  const filter = stringParam(requestBody, 'filter');
  const ids = narrow?.modelIds?.filter((id) => PLAIN_RUN_ID.test(id));
  const mode = ids !== undefined && ids.length > 0 && ids.length <= MAX_IDS_IN_FILTER ? 'ids' : 'scan';
  if (mode === 'ids' && ids) {
    const clause = `attributes.model_id IN (${ids.map((id) => `'${id}'`).join(',')})`;
    const client = (filter ?? '').trim();
    body.filter = client ? `${client} AND ${clause}` : clause;
  } else if (filter !== undefined) body.filter = filter;
  const datasets = param(requestBody, 'datasets');
  if (Array.isArray(datasets)) body.datasets = datasets;
  const orderBy = param(requestBody, 'order_by');
  if (Array.isArray(orderBy)) body.order_by = orderBy;
  return {
    mode,
    source: {
      maxBatchSize: MAX_BATCH.loggedModels,
      ...(mode === 'ids' ? { defaultBatchSize: (maxResults: number) => maxResults } : {}),
      async fetch(pageToken, maxResults) {
        const r = await mlflowCall(upstreamUrl, '/api/2.0/mlflow/logged-models/search', {
          method: 'POST',
          body: { ...body, max_results: maxResults, ...(pageToken ? { page_token: pageToken } : {}) },
          ...callOpts(opts),
        });
        if (r.kind !== 'ok') throw searchFailure(r, 'logged-models/search');
        return pageOf(r.json, 'models', parseLoggedModel);
      },
    },
    itemKey: (m) => m.info.model_id,
    // A logged model is a child with grants of its own; its experiment decides otherwise.
    resourceOf: (m) => ({
      type: 'logged_model', id: m.info.model_id, ...(typeof m.info.name === 'string' ? { name: m.info.name } : {}),
      parent: opts.experimentOf?.(m.info.experiment_id) ?? { type: 'experiment', id: m.info.experiment_id },
    }),
    itemsField: 'models',
  };
}

export interface MlflowRun {
  info: { run_id: string; experiment_id: string; run_name?: string; [field: string]: unknown };
  [field: string]: unknown;
}

function parseRun(v: unknown): MlflowRun | undefined {
  const o = asObject(v);
  const info = asObject(o?.info);
  return o && info && typeof info.run_id === 'string' && typeof info.experiment_id === 'string' ? (o as MlflowRun) : undefined;
}

/** Max max_results of runs/search (SEARCH_MAX_RESULTS_THRESHOLD). */
export const MAX_RUNS_BATCH = 50_000;

/** Run ids MLflow's filter grammar can quote safely (hex uuids, as MLflow makes them). */
export const PLAIN_RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * POST /api/2.0/mlflow/runs/search over `experimentIds`, keeping the client's filter, order_by and
 * run_view_type. With `runIds`, MLflow is asked for exactly those runs (`attributes.run_id IN (…)`
 * ANDed to the client's filter): the cost follows the granted runs, not the experiment's size.
 * Every run is checked as a child of its experiment (a run grant decides, else the experiment).
 */
export function runsSource(
  upstreamUrl: string, experimentIds: readonly string[], requestBody: SearchParams, runIds: readonly string[] | undefined, opts: SourceOptions = {},
): SearchBinding<MlflowRun> & { mode: 'ids' | 'scan' } {
  const body: Record<string, unknown> = { experiment_ids: [...experimentIds] };
  const clientFilter = (stringParam(requestBody, 'filter') ?? '').trim();
  const ids = runIds?.filter((id) => PLAIN_RUN_ID.test(id));
  const mode = ids !== undefined && ids.length > 0 && ids.length <= MAX_IDS_IN_FILTER ? 'ids' : 'scan';
  if (mode === 'ids' && ids) {
    const clause = `attributes.run_id IN (${ids.map((id) => `'${id}'`).join(',')})`;
    body.filter = clientFilter ? `${clientFilter} AND ${clause}` : clause;
  } else if (clientFilter) {
    body.filter = clientFilter;
  }
  const orderBy = stringListParam(requestBody, 'order_by');
  if (orderBy !== undefined) body.order_by = orderBy;
  const viewType = param(requestBody, 'run_view_type');
  if (typeof viewType === 'string' || typeof viewType === 'number') body.run_view_type = viewType;
  return {
    mode,
    source: {
      maxBatchSize: MAX_RUNS_BATCH,
      ...(mode === 'ids' ? { defaultBatchSize: (maxResults: number) => maxResults } : {}),
      async fetch(pageToken, maxResults) {
        const r = await mlflowCall(upstreamUrl, '/api/2.0/mlflow/runs/search', {
          method: 'POST',
          body: { ...body, max_results: maxResults, ...(pageToken ? { page_token: pageToken } : {}) },
          ...callOpts(opts),
        });
        if (r.kind !== 'ok') throw searchFailure(r, 'runs/search');
        return pageOf(r.json, 'runs', parseRun);
      },
    },
    itemKey: (run) => run.info.run_id,
    resourceOf: (run) => ({
      type: 'run', id: run.info.run_id, ...(typeof run.info.run_name === 'string' && run.info.run_name ? { name: run.info.run_name } : {}),
      parent: opts.experimentOf?.(run.info.experiment_id) ?? { type: 'experiment', id: run.info.experiment_id },
    }),
    itemsField: 'runs',
  };
}
