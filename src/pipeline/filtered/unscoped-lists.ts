import type { IdRef } from '../../mlflow/index.js';
import { mlflowCall } from '../../mlflow/resolver.js';
import type { Resource } from '../../policy/index.js';
import { jsonObjectBody } from './body.js';
import { idString, isObject, listField, withList } from './json.js';
import { mapLimit } from './limit.js';
import { narrowExperiments, requestedExperimentIds, withoutField, withQueryValues } from './narrow.js';
import { keepAllowed } from './readable.js';
import { noteDecision, queryRecord, type FilterRequest } from './request.js';
import { forwardRewritten, relayUpstreamFailure, sendJson } from './send.js';

// Searches and lists whose scoping id MLflow treats as OPTIONAL (issue #14, cause 2): without it
// they span the whole server. With the id, the authorize step has checked it and the request goes
// through unchanged (datasets: the experiment list is narrowed as for search_runs). Without it,
// the gateway asks MLflow the same question and keeps only the items the caller may read; MLflow's
// page token is passed on (it only says where the next page starts), so a page may hold fewer
// items than max_results — never an item the caller may not read.

const CONCURRENCY = 16;

/** SearchIssues (POST issues/search): optional experiment_id; issues carry their experiment_id. */
export async function serveSearchIssues(fr: FilterRequest): Promise<true> {
  const body = await jsonObjectBody(fr.gw, fr.req, fr.ctx);
  const one: IdRef = { kind: 'experiment_id', from: 'body', field: 'experiment_id' };
  if (requestedExperimentIds(fr, one, body).length > 0) {
    noteDecision(fr, 'issues (one readable experiment)');
    return forwardRewritten(fr);
  }
  const r = await mlflowCall(fr.gw.config.upstreamUrl, fr.ctx.path, { method: 'POST', body, ...fr.upstreamCall });
  if (r.kind !== 'ok') return relayUpstreamFailure(fr, r);
  const issues = listField(r.json, 'issues');
  const experimentOf = (i: unknown) => (isObject(i) ? idString(i.experiment_id) : undefined);
  const ids = [...new Set(issues.map(experimentOf).filter((x): x is string => x !== undefined))];
  const ok = await mapLimit(ids, CONCURRENCY, (id) => fr.access.experimentAllowed('read', id));
  const readable = new Set(ids.filter((_, i) => ok[i]));
  const kept = issues.filter((i) => readable.has(experimentOf(i) ?? ''));
  noteDecision(fr, `issues across experiments (${kept.length} of ${issues.length})`);
  return sendJson(fr, withList(r.json, 'issues', kept));
}

/**
 * SearchEvaluationDatasets (POST or GET datasets/search): optional experiment_ids. Named ones are
 * narrowed to the readable ones; without any, each dataset found is kept when every experiment it
 * is linked to is readable (the resolver's dataset rule; a dataset linked to none is not listed).
 */
export async function serveSearchDatasets(fr: FilterRequest): Promise<true> {
  const fromQuery = fr.method === 'GET' && !fr.query.keys().next().done;
  const body = fromQuery ? undefined : await jsonObjectBody(fr.gw, fr.req, fr.ctx);
  const ref: IdRef = { kind: 'experiment_id', from: fromQuery ? 'query' : 'body', field: 'experiment_ids', many: true };
  const requested = requestedExperimentIds(fr, ref, body);
  if (requested.length > 0) {
    const narrowed = await narrowExperiments(fr, requested);
    noteDecision(fr, `datasets (${narrowed.ids.length} readable experiments${narrowed.dropped ? ', others dropped' : ''})`);
    if (narrowed.ids.length === 0) return sendJson(fr, {});
    if (fromQuery) {
      fr.ctx.query = withQueryValues(fr.query, 'experiment_ids', narrowed.ids);
      return forwardRewritten(fr);
    }
    return forwardRewritten(fr, { ...withoutField(body ?? {}, 'experiment_ids'), experiment_ids: narrowed.ids });
  }
  const query = fromQuery ? queryRecord(fr.query) : undefined;
  const r = await mlflowCall(fr.gw.config.upstreamUrl, fr.ctx.path, {
    method: fr.method === 'GET' ? 'GET' : 'POST',
    ...(body !== undefined && fr.method !== 'GET' ? { body } : {}),
    ...(query ? { query } : {}),
    ...fr.upstreamCall,
  });
  if (r.kind !== 'ok') return relayUpstreamFailure(fr, r);
  const datasets = listField(r.json, 'datasets');
  const ok = await mapLimit(datasets, CONCURRENCY, async (d) => {
    const id = isObject(d) ? idString(d.dataset_id) : undefined;
    if (id === undefined) return false;
    const res = await fr.gw.resolver.resolve('dataset_id', id);
    if (!res.ok || res.resources.length === 0) return false;
    const each = await fr.access.allowedEach('read', res.resources);
    return each.every(Boolean);
  });
  const kept = datasets.filter((_, i) => ok[i]);
  noteDecision(fr, `datasets across experiments (${kept.length} of ${datasets.length})`);
  return sendJson(fr, withList(r.json, 'datasets', kept));
}

/** ListGatewayEndpointBindings (GET bindings/list): optional endpoint_id; bindings carry theirs. */
export async function serveListEndpointBindings(fr: FilterRequest): Promise<true> {
  if ((fr.query.get('endpoint_id') ?? fr.query.get('endpointId') ?? '') !== '') {
    noteDecision(fr, 'endpoint bindings (one readable endpoint)');
    return forwardRewritten(fr);
  }
  const r = await mlflowCall(fr.gw.config.upstreamUrl, fr.ctx.path, { query: queryRecord(fr.query), ...fr.upstreamCall });
  if (r.kind !== 'ok') return relayUpstreamFailure(fr, r);
  const bindings = listField(r.json, 'bindings');
  const endpointOf = (b: unknown): Resource | undefined => {
    const id = isObject(b) ? idString(b.endpoint_id) : undefined;
    return id === undefined ? undefined : { type: 'gateway_endpoint', id };
  };
  const kept = await keepAllowed(fr.access, 'read', bindings, endpointOf);
  noteDecision(fr, `endpoint bindings (${kept.length} of ${bindings.length})`);
  return sendJson(fr, withList(r.json, 'bindings', kept));
}
