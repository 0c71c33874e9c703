import type { IdRef } from '../../mlflow/index.js';
import { jsonObjectBody } from './body.js';
import { listField } from './json.js';
import { narrowExperiments, requestedExperimentIds, withoutField, withQueryValues } from './narrow.js';
import { noteDecision, type FilterRequest } from './request.js';
import { forwardRewritten, sendJson } from './send.js';

// Searches scoped by a list of experiments (runs, logged models, traces): MLflow only ever looks
// inside the experiments the request names, so the gateway narrows that list to the readable
// ones — as MLflow's own auth does for search_runs (auth.filter_experiment_ids) — and forwards
// the narrowed request. Every result then belongs to a readable experiment: no post-filtering,
// MLflow's own full pages and page tokens (cost: one resolver lookup per named experiment,
// cached). When none of the named experiments is readable the answer is MLflow's empty one, `{}`.

const EXPERIMENT_IDS: IdRef = { kind: 'experiment_id', from: 'body', field: 'experiment_ids', many: true };

/** SearchRuns and SearchLoggedModels: POST { experiment_ids: [...] , ... }. */
export async function serveExperimentIdsSearch(fr: FilterRequest, what: string): Promise<true> {
  const body = await jsonObjectBody(fr.gw, fr.req, fr.ctx);
  const narrowed = await narrowExperiments(fr, requestedExperimentIds(fr, EXPERIMENT_IDS, body));
  noteDecision(fr, `${what} (${narrowed.ids.length} readable experiments${narrowed.dropped ? ', others dropped' : ''})`);
  if (narrowed.requested && narrowed.ids.length === 0) return sendJson(fr, {});
  // Rewritten even when nothing was dropped: MLflow then reads exactly the list that was checked.
  const rewritten = withoutField(body, 'experiment_ids');
  if (narrowed.requested) rewritten.experiment_ids = narrowed.ids;
  return forwardRewritten(fr, rewritten);
}

/** SearchTraces v2: GET /traces?experiment_ids=…&experiment_ids=… */
export async function serveSearchTracesV2(fr: FilterRequest): Promise<true> {
  const ref: IdRef = { kind: 'experiment_id', from: 'query', field: 'experiment_ids', many: true };
  const narrowed = await narrowExperiments(fr, requestedExperimentIds(fr, ref, undefined));
  noteDecision(fr, `traces (${narrowed.ids.length} readable experiments${narrowed.dropped ? ', others dropped' : ''})`);
  if (narrowed.requested && narrowed.ids.length === 0) return sendJson(fr, {});
  fr.ctx.query = withQueryValues(fr.query, 'experiment_ids', narrowed.ids);
  return forwardRewritten(fr);
}

/**
 * SearchTracesV3: POST { locations: [{ type, mlflow_experiment: { experiment_id } }, …] }. MLflow
 * reads only the mlflow_experiment locations (handlers._search_traces_v3); the forwarded request
 * carries exactly the readable ones, every other location is dropped.
 */
export async function serveSearchTracesV3(fr: FilterRequest): Promise<true> {
  const body = await jsonObjectBody(fr.gw, fr.req, fr.ctx);
  const ref: IdRef = { kind: 'experiment_id', from: 'body', field: 'locations[].mlflow_experiment.experiment_id' };
  const narrowed = await narrowExperiments(fr, requestedExperimentIds(fr, ref, body));
  noteDecision(fr, `traces (${narrowed.ids.length} readable experiments${narrowed.dropped ? ', others dropped' : ''})`);
  // No experiment location at all: MLflow refuses the request itself ("Missing value for required
  // parameter 'locations'"), and the client gets that answer (nothing is searched).
  if (!narrowed.requested && listField(body, 'locations').length === 0) return forwardRewritten(fr);
  if (narrowed.ids.length === 0) return sendJson(fr, {});
  const rewritten = withoutField(body, 'locations');
  rewritten.locations = narrowed.ids.map((id) => ({ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: id } }));
  return forwardRewritten(fr, rewritten);
}
