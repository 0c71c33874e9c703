import { GatewayError } from '../../errors/index.js';
import { MAX_IDS_IN_FILTER } from '../../mlflow/filtered-search.js';
import type { IdRef } from '../../mlflow/index.js';
import { mlflowCall } from '../../mlflow/resolver.js';
import { candidateIds } from './candidates.js';
import { idString, isObject, listField, withList } from './json.js';
import { mapLimit } from './limit.js';
import { narrowExperiments, requestedExperimentIds, withQueryValues } from './narrow.js';
import { noteDecision, type FilterRequest } from './request.js';
import { forwardRewritten, relayUpstreamFailure, sendJson } from './send.js';

// ListScorers (GET scorers/list). Three shapes (handlers._list_scorers):
//   ?experiment_id=E        one experiment: it must be readable (403 otherwise), then forwarded;
//   ?experiment_ids=A&…     several: narrowed to the readable ones, then forwarded;
//   neither                 every experiment of the workspace: asked as `experiment_ids=<the
//                           caller's candidates>` when those are known (grants only), otherwise
//                           the full listing is fetched and each scorer's experiment checked.
// A GET body is never read (fastify drops it, the proxy does not forward it), so only the query counts.

const ONE: IdRef = { kind: 'experiment_id', from: 'query', field: 'experiment_id' };
const MANY: IdRef = { kind: 'experiment_id', from: 'query', field: 'experiment_ids', many: true };
const CONCURRENCY = 16;

export async function serveListScorers(fr: FilterRequest): Promise<true> {
  const one = requestedExperimentIds(fr, ONE, undefined);
  const many = requestedExperimentIds(fr, MANY, undefined);
  for (const id of one) {
    if (!(await fr.access.experimentAllowed('read', id))) throw new GatewayError('GW_DENIED', `You may not read experiment ${id}`);
  }
  if (fr.query.has('experiment_ids') || fr.query.has('experimentIds')) {
    const narrowed = await narrowExperiments(fr, many);
    noteDecision(fr, `scorers (${narrowed.ids.length} readable experiments)`);
    if (narrowed.requested && narrowed.ids.length === 0) return sendJson(fr, {});
    fr.ctx.query = withQueryValues(fr.query, 'experiment_ids', narrowed.ids);
    return forwardRewritten(fr);
  }
  if (one.length > 0) {
    noteDecision(fr, 'scorers (one readable experiment)');
    return forwardRewritten(fr);
  }
  return serveAcrossExperiments(fr);
}

async function serveAcrossExperiments(fr: FilterRequest): Promise<true> {
  const candidates = await candidateIds(fr.gw, fr.subject, 'experiment');
  if (candidates !== undefined && candidates.length <= MAX_IDS_IN_FILTER) {
    const narrowed = await narrowExperiments(fr, candidates);
    noteDecision(fr, `scorers (${narrowed.ids.length} granted experiments)`);
    if (narrowed.ids.length === 0) return sendJson(fr, {});
    fr.ctx.query = withQueryValues(fr.query, 'experiment_ids', narrowed.ids);
    return forwardRewritten(fr);
  }
  const r = await mlflowCall(fr.gw.config.upstreamUrl, '/api/3.0/mlflow/scorers/list', fr.upstreamCall);
  if (r.kind !== 'ok') return relayUpstreamFailure(fr, r);
  const scorers = listField(r.json, 'scorers');
  const experimentOf = (s: unknown) => (isObject(s) ? idString(s.experiment_id) : undefined);
  const ids = [...new Set(scorers.map(experimentOf).filter((x): x is string => x !== undefined))];
  const ok = await mapLimit(ids, CONCURRENCY, (id) => fr.access.experimentAllowed('read', id));
  const readable = new Set(ids.filter((_, i) => ok[i]));
  const kept = scorers.filter((s) => {
    const id = experimentOf(s);
    return id !== undefined && readable.has(id);
  });
  noteDecision(fr, `scorers (${kept.length} of ${scorers.length})`);
  return sendJson(fr, withList(r.json, 'scorers', kept));
}
