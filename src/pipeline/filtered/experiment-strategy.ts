import { experimentsSource, searchExperimentsByIds, type MlflowExperiment, type SearchBinding, type SearchParams, type SourceOptions } from '../../mlflow/filtered-search.js';
import { experimentGetsPlan, experimentsByGetsBinding, MAX_GETS } from '../../mlflow/experiments-by-get.js';
import { isCanonicalExperimentId } from '../../mlflow/resolver.js';
import type { Capabilities } from '../../compat/index.js';

/**
 * Which way a SearchExperiments request is answered (the mode is bound into the gateway's page
 * token, so one pagination never switches):
 *   'scan'  the caller's readable set is unknown in advance (or too large to narrow): MLflow's pages,
 *           each experiment checked;
 *   'ids'   MLflow 3.17+: the client's filter AND `experiment_id IN (…)`, MLflow narrows;
 *   'gets'  older MLflow, a request per-id gets can answer exactly (experiments-by-get.ts): one
 *           GetExperiment per candidate, ordered and paged by the gateway;
 *   'empty' no candidate id at all: no upstream call.
 */
export type ExperimentSearchMode = 'scan' | 'ids' | 'gets' | 'empty';

export function experimentSearchBinding(
  upstreamUrl: string,
  candidates: readonly string[] | undefined,
  p: SearchParams,
  opts: SourceOptions,
  caps: Pick<Capabilities, 'experimentIdInFilter'>,
): SearchBinding<MlflowExperiment> & { mode: ExperimentSearchMode } {
  if (candidates === undefined) return { ...experimentsSource(upstreamUrl, p, opts), mode: 'scan' };
  if (!caps.experimentIdInFilter) {
    const count = new Set(candidates.filter(isCanonicalExperimentId)).size;
    const plan = count > 0 && count <= MAX_GETS ? experimentGetsPlan(p) : undefined;
    if (plan) return { ...experimentsByGetsBinding(upstreamUrl, candidates, plan, opts), mode: 'gets' };
  }
  return searchExperimentsByIds(upstreamUrl, candidates, p, opts, caps.experimentIdInFilter);
}
