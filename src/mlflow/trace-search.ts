// Trace searches as filtered-search sources (issue #16: trace grants in traces/search).
//
// Two APIs reach the same store.search_traces in MLflow 3.17.2 (handlers.py):
//   v2  GET  /api/2.0/mlflow/traces?experiment_ids=…&filter=…&order_by=…&max_results=…&page_token=…
//       → { traces: [TraceInfoV2 { request_id, experiment_id, … }], next_page_token }
//   v3  POST /api/3.0/mlflow/traces/search { locations: [{ mlflow_experiment: { experiment_id } }], filter, order_by, max_results, page_token }
//       → { traces: [TraceInfoV3 { trace_id, trace_location: { mlflow_experiment: { experiment_id } } }], next_page_token }
// Both refuse max_results above 500 and default to 100. The trace filter grammar
// (SearchTraceUtils) accepts `request_id IN (…)` (SUPPORT_IN_COMPARISON_ATTRIBUTE_KEYS), and a 3.x
// request id is the trace id: with granted trace ids MLflow is asked for exactly those traces.
import {
  callOpts,
  MAX_IDS_IN_FILTER,
  pageOf,
  param,
  PLAIN_RUN_ID,
  searchFailure,
  stringListParam,
  stringParam,
  asObject,
  type SearchBinding,
  type SearchParams,
  type SourceOptions,
} from './filtered-search.js';
import { mlflowCall, type ResolvedResource } from './resolver.js';

/** SearchTraces / SearchTracesV3 max_results bound (handlers.py: _assert_less_than_or_equal(…, 500)). */
export const MAX_TRACES_BATCH = 500;

/** A trace as MLflow returns it (TraceInfoV2 or TraceInfoV3), kept unchanged. */
export type MlflowTrace = Record<string, unknown>;

/** Trace id and experiment of a v2 item (request_id, experiment_id), undefined when malformed. */
function refV2(o: MlflowTrace): { id: string; experimentId: string } | undefined {
  return typeof o.request_id === 'string' && typeof o.experiment_id === 'string' ? { id: o.request_id, experimentId: o.experiment_id } : undefined;
}

/** Same for a v3 item (trace_id, trace_location.mlflow_experiment.experiment_id). */
function refV3(o: MlflowTrace): { id: string; experimentId: string } | undefined {
  const exp = asObject(asObject(o.trace_location)?.mlflow_experiment)?.experiment_id;
  return typeof o.trace_id === 'string' && typeof exp === 'string' ? { id: o.trace_id, experimentId: exp } : undefined;
}

/** The client's filter with `request_id IN (…)` appended, or unchanged ('scan'). */
function narrowedFilter(client: string | undefined, traceIds: readonly string[] | undefined): { mode: 'ids' | 'scan'; filter: string | undefined } {
  const ids = traceIds?.filter((id) => PLAIN_RUN_ID.test(id));
  if (ids === undefined || ids.length === 0 || ids.length > MAX_IDS_IN_FILTER) return { mode: 'scan', filter: client };
  const clause = `trace.request_id IN (${ids.map((id) => `'${id}'`).join(',')})`;
  const c = (client ?? '').trim();
  return { mode: 'ids', filter: c ? `${c} AND ${clause}` : clause };
}

/**
 * A trace search over `experimentIds` with the client's filter and order_by (v2: the query
 * string; v3: the JSON body). The items keep MLflow's shape; each is checked as a child of its
 * experiment (a trace grant decides, else the experiment).
 */
export function tracesSource(
  api: 'v2' | 'v3', upstreamUrl: string, experimentIds: readonly string[], params: SearchParams, traceIds: readonly string[] | undefined, opts: SourceOptions = {},
): SearchBinding<MlflowTrace> & { mode: 'ids' | 'scan' } {
  const { mode, filter } = narrowedFilter(stringParam(params, 'filter'), traceIds);
  const refOf = api === 'v2' ? refV2 : refV3;
  // Malformed items are dropped (nothing to decide on), as pageOf does for other searches.
  const parse = (v: unknown): MlflowTrace | undefined => {
    const o = asObject(v);
    return o && refOf(o) ? o : undefined;
  };
  const orderBy = stringListParam(params, 'order_by');
  const fetchPage = async (pageToken: string | undefined, maxResults: number) => {
    if (api === 'v2') {
      const r = await mlflowCall(upstreamUrl, '/api/2.0/mlflow/traces', {
        method: 'GET',
        query: { experiment_ids: [...experimentIds], filter, order_by: orderBy, max_results: String(maxResults), page_token: pageToken },
        ...callOpts(opts),
      });
      if (r.kind !== 'ok') throw searchFailure(r, 'traces');
      return pageOf(r.json, 'traces', parse);
    }
    const body: Record<string, unknown> = {
      locations: experimentIds.map((id) => ({ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: id } })),
      max_results: maxResults,
      ...(filter !== undefined ? { filter } : {}),
      ...(orderBy !== undefined ? { order_by: orderBy } : {}),
      ...(pageToken ? { page_token: pageToken } : {}),
    };
    const r = await mlflowCall(upstreamUrl, '/api/3.0/mlflow/traces/search', { method: 'POST', body, ...callOpts(opts) });
    if (r.kind !== 'ok') throw searchFailure(r, 'traces/search');
    return pageOf(r.json, 'traces', parse);
  };
  return {
    mode,
    source: {
      maxBatchSize: MAX_TRACES_BATCH,
      ...(mode === 'ids' ? { defaultBatchSize: (maxResults: number) => maxResults } : {}),
      fetch: fetchPage,
    },
    itemKey: (t) => refOf(t)?.id ?? '',
    resourceOf: (t): ResolvedResource => {
      const ref = refOf(t) as { id: string; experimentId: string }; // parse() kept only items with both
      return { type: 'trace', id: ref.id, parent: opts.experimentOf?.(ref.experimentId) ?? { type: 'experiment', id: ref.experimentId } };
    },
    itemsField: 'traces',
  };
}

/** The client parameters a trace pagination is bound to (page tokens do not survive a change). */
export function traceTokenParams(params: SearchParams, requested: readonly string[]): unknown {
  return [requested, stringParam(params, 'filter') ?? '', stringListParam(params, 'order_by') ?? [], param(params, 'include_spans') ?? null];
}
