import { MAX_BATCH, param, stringListParam, stringParam, type SearchParams } from '../../mlflow/filtered-search.js';
import { candidateIds } from './candidates.js';
import { experimentSearchBinding } from './experiment-strategy.js';
import { servePagedSearch } from './paged.js';
import { MAX_RESULTS, maxResultsParam, pageTokenParam } from './params.js';
import { searchParams, type FilterRequest } from './request.js';
import { relayUpstreamFailure, sendMlflowError } from './send.js';
import { mlflowCall } from '../../mlflow/resolver.js';
import { randomUUID } from 'node:crypto';

/**
 * MLflow's own answer to search parameters the gateway finds invalid, so the client sees MLflow's
 * message and code: the same parameters are sent to MLflow with a filter no experiment matches and
 * no page token. Only an error answer is relayed (nothing MLflow lists ever reaches the client);
 * undefined when MLflow accepts them.
 */
async function relayMlflowValidation(fr: FilterRequest, p: SearchParams): Promise<true | undefined> {
  const probe: Record<string, unknown> = {};
  if (p instanceof URLSearchParams) for (const [k, v] of p) probe[k] = v;
  else Object.assign(probe, p);
  for (const k of ['filter', 'page_token', 'pageToken']) delete probe[k];
  probe.filter = `name = 'gateway-validation-probe-${randomUUID()}'`;
  const r = await mlflowCall(fr.gw.config.upstreamUrl, '/api/2.0/mlflow/experiments/search', { method: 'POST', body: probe, ...fr.upstreamCall });
  return r.kind === 'http_error' && r.status === 400 ? relayUpstreamFailure(fr, r) : undefined;
}

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
  if (!max.ok) return (await relayMlflowValidation(fr, p)) ?? sendMlflowError(fr, 'INVALID_PARAMETER_VALUE', max.message);
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
