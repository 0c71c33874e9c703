// SearchExperiments answered with per-id GetExperiment calls, for callers whose readable experiments
// are known in advance (explicit grants, token scope) on MLflow versions whose search grammar cannot
// narrow by id (before 3.17: no `experiment_id` attribute, no IN lists; `OR` is refused by every
// version: "Invalid clause(s) in filter string: OR").
//
// The checked scan (filtered-search.ts) reads every experiment on the server to find the caller's few;
// this source instead fetches the candidates one by one (in parallel, bounded) and orders and pages
// them itself, so the cost follows the caller's grants, not the server's size. It is used only when
// the gateway can produce exactly what MLflow's SqlAlchemy store would (sqlalchemy_store
// _search_experiments, identical in 2.9.2 … 3.16.1):
//   * no filter (a filter would have to be evaluated as MLflow does: LIKE/ILIKE semantics, tag
//     joins, collations — not attempted, the scan stays exact);
//   * order_by only on the numeric attributes experiment_id, creation_time, last_update_time, bare
//     keys with an optional ASC/DESC (MLflow's default is ["creation_time DESC", "experiment_id ASC"],
//     and it appends `experiment_id ASC` as tie-breaker when absent). `name` is not among them: its
//     order is the backend database's collation (SQLite binary, PostgreSQL/MySQL locale rules),
//     which the gateway cannot know;
//   * view_type ACTIVE_ONLY (default), DELETED_ONLY or ALL, matched on lifecycle_stage.
// Pages: the "upstream page token" of this source is the offset into the ordered list, signed into
// the gateway's own token like any other upstream token, and a next token is given exactly when
// more items follow (MLflow fetches max_results+1 rows and does the same). A missing timestamp
// sorts as the smallest value (SQLite's and MySQL's NULL order); MLflow sets both on creation.
import type { Dispatcher } from 'undici';
import { MlflowSearchError, stringListParam, stringParam, param, type MlflowExperiment, type PageSource, type SearchBinding, type SearchParams } from './filtered-search.js';
import { isCanonicalExperimentId, mlflowCall, type BodyCharge, type ResolvedResource } from './resolver.js';

/** Above this many candidate ids the scan is used instead (each gateway page re-reads every candidate). */
export const MAX_GETS = 200;
/** Parallel GetExperiment calls per request. */
export const GETS_CONCURRENCY = 16;

type OrderKey = 'experiment_id' | 'creation_time' | 'last_update_time';
export type LifecycleStage = 'active' | 'deleted';

/** How to answer one SearchExperiments request from per-id gets (experimentGetsPlan). */
export interface GetsPlan {
  readonly stages: ReadonlySet<LifecycleStage>;
  readonly order: ReadonlyArray<{ readonly key: OrderKey; readonly ascending: boolean }>;
}

const ORDER_CLAUSE = /^\s*(experiment_id|creation_time|last_update_time)(?:\s+(asc|desc))?\s*$/i;
const VIEW_TYPES: Readonly<Record<string, readonly LifecycleStage[]>> = {
  ACTIVE_ONLY: ['active'], '1': ['active'],
  DELETED_ONLY: ['deleted'], '2': ['deleted'],
  ALL: ['active', 'deleted'], '3': ['active', 'deleted'],
};

/**
 * The plan for a request, or undefined when per-id gets could not reproduce MLflow's answer exactly
 * (then the caller keeps the checked scan, which relays MLflow's own validation errors too).
 */
export function experimentGetsPlan(p: SearchParams): GetsPlan | undefined {
  // Absent or '' (what MLflow's handler reads as "no filter"); anything else, even blanks, is MLflow's to parse.
  if (param(p, 'filter') !== undefined && stringParam(p, 'filter') !== '') return undefined;
  const rawView = param(p, 'view_type');
  const view = rawView === undefined || rawView === null ? 'ACTIVE_ONLY' : typeof rawView === 'string' ? rawView : typeof rawView === 'number' ? String(rawView) : undefined;
  // A query-string digit ("1") is not what MLflow's GET parser takes for an enum: scan, MLflow decides.
  if (view === undefined || (p instanceof URLSearchParams && /^\d$/.test(view))) return undefined;
  const stages = VIEW_TYPES[view];
  if (!stages) return undefined;
  const rawOrder = param(p, 'order_by');
  const clauses = rawOrder === undefined ? [] : stringListParam(p, 'order_by');
  // A non-string entry is MLflow's to refuse.
  if (clauses === undefined || (Array.isArray(rawOrder) && clauses.length !== rawOrder.length)) return undefined;
  if (!(p instanceof URLSearchParams) && rawOrder !== undefined && !Array.isArray(rawOrder)) return undefined;
  const order: Array<{ key: OrderKey; ascending: boolean }> = [];
  for (const c of clauses) {
    // The key must be exactly lowercase (MLflow compares it case-sensitively); ASC/DESC in any case.
    const m = ORDER_CLAUSE.exec(c);
    if (!m || m[1] !== m[1]!.toLowerCase()) return undefined;
    order.push({ key: m[1] as OrderKey, ascending: (m[2] ?? 'asc').toLowerCase() === 'asc' });
  }
  if (order.length === 0) order.push({ key: 'creation_time', ascending: false }, { key: 'experiment_id', ascending: true });
  else if (!order.some((o) => o.key === 'experiment_id')) order.push({ key: 'experiment_id', ascending: true });
  return { stages: new Set(stages), order };
}

function sortValue(e: MlflowExperiment, key: OrderKey): bigint | undefined {
  const v = e[key];
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) return BigInt(v);
  return undefined;
}

/** MLflow's ORDER BY for the plan (NULL first ascending, last descending: SQLite's rule). */
export function compareExperiments(plan: GetsPlan): (a: MlflowExperiment, b: MlflowExperiment) => number {
  return (a, b) => {
    for (const { key, ascending } of plan.order) {
      const x = sortValue(a, key);
      const y = sortValue(b, key);
      if (x === y) continue;
      const c = x === undefined ? -1 : y === undefined ? 1 : x < y ? -1 : 1;
      return ascending ? c : -c;
    }
    return 0;
  };
}

export interface GetsSourceOptions {
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  headers?: Record<string, string>;
  /** The request's memory lease (see SourceOptions). */
  memory?: BodyCharge;
}

/** Runs `fn` over `items` with at most `limit` in flight, results in input order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** GET experiments/get for one id: the experiment, or undefined when MLflow has none with that id. */
async function getExperiment(upstreamUrl: string, id: string, opts: GetsSourceOptions): Promise<MlflowExperiment | undefined> {
  const r = await mlflowCall(upstreamUrl, '/api/2.0/mlflow/experiments/get', {
    method: 'GET',
    query: { experiment_id: id },
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    ...(opts.headers ? { headers: opts.headers } : {}),
    ...(opts.memory ? { memory: opts.memory } : {}),
  });
  if (r.kind === 'network_error') throw new MlflowSearchError(r.message, undefined, undefined, undefined);
  // A granted experiment that was deleted for good (gc) no longer exists, and an id MLflow refuses
  // (400, e.g. beyond its integer range) names none: MLflow's search would not list either.
  if (r.kind === 'http_error' && ((r.status === 404 && r.errorCode === 'RESOURCE_DOES_NOT_EXIST') || (r.status === 400 && r.errorCode === 'INVALID_PARAMETER_VALUE'))) return undefined;
  if (r.kind === 'http_error') throw new MlflowSearchError(`MLflow answered ${r.status} to experiments/get: ${r.message}`, r.status, r.errorCode, r.json);
  const e = (r.json as { experiment?: unknown } | undefined)?.experiment as MlflowExperiment | undefined;
  return e && typeof e === 'object' && typeof e.experiment_id === 'string' && typeof e.name === 'string' ? e : undefined;
}

/**
 * The page source: every page reads all candidates (so a page never depends on an earlier one's
 * snapshot), keeps those of the plan's lifecycle stages, orders them as MLflow would and returns
 * the slice at the offset the token names.
 */
export function experimentsByGets(upstreamUrl: string, ids: readonly string[], plan: GetsPlan, opts: GetsSourceOptions = {}): PageSource<MlflowExperiment> {
  const canonical = [...new Set(ids.filter(isCanonicalExperimentId))];
  const compare = compareExperiments(plan);
  return {
    // One "upstream page" per gateway page: every candidate is expected to be readable.
    defaultBatchSize: (maxResults) => maxResults,
    async fetch(pageToken, maxResults) {
      const offset = pageToken === undefined ? 0 : Number(pageToken);
      if (!Number.isSafeInteger(offset) || offset < 0) throw new MlflowSearchError('Invalid page token', 400, 'INVALID_PARAMETER_VALUE', undefined);
      const found = await mapBounded(canonical, GETS_CONCURRENCY, (id) => getExperiment(upstreamUrl, id, opts));
      const listed = found.filter((e): e is MlflowExperiment => e !== undefined && plan.stages.has(e.lifecycle_stage as LifecycleStage)).sort(compare);
      const end = offset + maxResults;
      return { items: listed.slice(offset, end), nextPageToken: end < listed.length ? String(end) : undefined };
    },
  };
}

/** The search binding for servePagedSearch. */
export function experimentsByGetsBinding(upstreamUrl: string, ids: readonly string[], plan: GetsPlan, opts: GetsSourceOptions = {}): SearchBinding<MlflowExperiment> {
  return {
    source: experimentsByGets(upstreamUrl, ids, plan, opts),
    itemKey: (e) => e.experiment_id,
    resourceOf: (e): ResolvedResource => ({ type: 'experiment', id: e.experiment_id, name: e.name }),
    itemsField: 'experiments',
  };
}
