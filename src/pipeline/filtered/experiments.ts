import { MAX_BATCH, param, stringListParam, stringParam } from '../../mlflow/filtered-search.js';
import { candidateIds } from './candidates.js';
import { experimentSearchBinding } from './experiment-strategy.js';
import { servePagedSearch } from './paged.js';
import { MAX_RESULTS, maxResultsParam, pageTokenParam } from './params.js';
import { searchParams, type FilterRequest } from './request.js';
import { sendMlflowError } from './send.js';
import { PROBES, relayMlflowValidation } from './validation-probe.js';

/**
 * SearchExperiments (GET query or POST body). When the caller's readable experiments are known
 * in advance (explicit grants only, or a token scope), MLflow is asked for exactly those ids with
 * `AND experiment_id IN (…)` — one upstream call per page, cost proportional to what is returned.
 * On MLflow before 3.17, which cannot filter by id, per-id gets answer the requests they can answer
 * exactly (experiment-strategy.ts). Otherwise MLflow's pages are scanned and each experiment checked.
 */
export async function serveSearchExperiments(fr: FilterRequest): Promise<true> {
  const p = await searchParams(fr);
  const max = maxResultsParam(p, MAX_RESULTS.experiments);
  if (!max.ok) return (await relayMlflowValidation(fr, p, PROBES.experiments)) ?? sendMlflowError(fr, 'INVALID_PARAMETER_VALUE', max.message);
  const opts = fr.upstreamCall;
  const upstream = fr.gw.config.upstreamUrl;
  const candidates = await candidateIds(fr.gw, fr.subject, 'experiment');
  const binding = experimentSearchBinding(upstream, candidates, p, opts, fr.gw.mlflow.capabilities());
  return servePagedSearch(fr, {
    binding,
    token: { kind: 'experiments', mode: binding.mode, params: [stringParam(p, 'filter') ?? '', stringListParam(p, 'order_by') ?? [], param(p, 'view_type') ?? null] },
    maxResults: max.value,
    pageToken: pageTokenParam(p),
    maxBatchSize: MAX_BATCH.experiments,
  });
}
