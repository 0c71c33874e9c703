import { runsSource, stringParam, stringListParam, param, MAX_RUNS_BATCH } from '../../mlflow/filtered-search.js';
import type { IdRef } from '../../mlflow/index.js';
import { jsonObjectBody } from './body.js';
import { childFacts, planChildSearch } from './child-scoped.js';
import { serveExperimentIdsSearch } from './experiment-scoped.js';
import { requestedExperimentIds } from './narrow.js';
import { servePagedSearch } from './paged.js';
import { MAX_RESULTS, maxResultsParam, pageTokenParam } from './params.js';
import { PROBES, relayMlflowValidation } from './validation-probe.js';
import { noteDecision, type FilterRequest } from './request.js';
import { sendJson, sendMlflowError } from './send.js';

// SearchRuns when the caller holds grants or rules on runs themselves (issue #16 child grants):
// child-scoped.ts plans what MLflow is asked for (`attributes.run_id IN (…)` when access comes
// only from run grants), paged.ts checks every run as a child of its experiment.

const EXPERIMENT_IDS: IdRef = { kind: 'experiment_id', from: 'body', field: 'experiment_ids', many: true };

export async function serveSearchRuns(fr: FilterRequest): Promise<true> {
  const facts = fr.subject.isAdmin ? undefined : await childFacts(fr.gw, fr.subject, 'run');
  if (!facts?.any) return serveExperimentIdsSearch(fr, 'runs');
  const body = await jsonObjectBody(fr.gw, fr.req, fr.ctx);
  const max = maxResultsParam(body, MAX_RESULTS.runs);
  if (!max.ok) return (await relayMlflowValidation(fr, body, PROBES.runs)) ?? sendMlflowError(fr, 'INVALID_PARAMETER_VALUE', max.message);
  const requested = [...new Set(requestedExperimentIds(fr, EXPERIMENT_IDS, body))];
  const plan = await planChildSearch(fr, 'run', facts, requested);
  if (plan.searched.length === 0) {
    noteDecision(fr, 'runs (nothing readable)');
    return sendJson(fr, {});
  }
  const binding = runsSource(fr.gw.config.upstreamUrl, plan.searched, body, plan.childIds, { ...fr.upstreamCall, experimentOf: (id) => plan.experiments.get(id) });
  return servePagedSearch(fr, {
    binding,
    token: {
      kind: 'runs', mode: binding.mode,
      params: [requested, stringParam(body, 'filter') ?? '', stringListParam(body, 'order_by') ?? [], param(body, 'run_view_type') ?? null],
    },
    maxResults: max.value,
    pageToken: pageTokenParam(body),
    maxBatchSize: MAX_RUNS_BATCH,
  });
}
