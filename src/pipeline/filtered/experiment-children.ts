import { loggedModelsSource, MAX_BATCH, param, stringParam, type SearchParams } from '../../mlflow/filtered-search.js';
import type { IdRef } from '../../mlflow/index.js';
import { MAX_TRACES_BATCH, traceTokenParams, tracesSource } from '../../mlflow/trace-search.js';
import { jsonObjectBody } from './body.js';
import { childFacts, planChildSearch, type ChildFacts } from './child-scoped.js';
import { serveExperimentIdsSearch, serveSearchTracesV2, serveSearchTracesV3 } from './experiment-scoped.js';
import { requestedExperimentIds } from './narrow.js';
import { servePagedSearch } from './paged.js';
import { MAX_RESULTS, maxResultsParam, pageTokenParam } from './params.js';
import { noteDecision, type FilterRequest } from './request.js';
import { sendJson, sendMlflowError } from './send.js';

// traces/search (v2 GET /traces, v3 POST traces/search) and logged-models/search when the caller
// holds grants or rules on traces or logged models themselves (issue #16): the same plan as
// runs/search (child-scoped.ts), so a trace grant shows that trace and nothing else of its
// experiment, and a DENY on one trace or logged model hides it inside a readable experiment,
// with full pages and the gateway's own page tokens. Without such grants, experiments decide
// alone and the narrowed request is forwarded (experiment-scoped.ts): MLflow's own pages.
// When the request names no experiment at all, MLflow's own answer (it requires one) is kept.

const V2_IDS: IdRef = { kind: 'experiment_id', from: 'query', field: 'experiment_ids', many: true };
const V3_IDS: IdRef = { kind: 'experiment_id', from: 'body', field: 'locations[].mlflow_experiment.experiment_id' };
const LOGGED_MODEL_IDS: IdRef = { kind: 'experiment_id', from: 'body', field: 'experiment_ids', many: true };

async function factsFor(fr: FilterRequest, type: 'trace' | 'logged_model'): Promise<ChildFacts | undefined> {
  if (fr.subject.isAdmin) return undefined;
  const facts = await childFacts(fr.gw, fr.subject, type);
  return facts.any ? facts : undefined;
}

/** The granted children to ask MLflow for, when its filter grammar takes them (else the planned experiments are scanned). */
function childIds(fr: FilterRequest, ids: string[] | undefined): string[] | undefined {
  return fr.gw.mlflow.capabilities().childIdInFilter ? ids : undefined;
}

export async function serveSearchTraces(fr: FilterRequest): Promise<true> {
  const api = fr.method === 'GET' ? 'v2' : 'v3';
  const facts = await factsFor(fr, 'trace');
  if (!facts) return api === 'v2' ? serveSearchTracesV2(fr) : serveSearchTracesV3(fr);
  const params: SearchParams = api === 'v2' ? fr.query : await jsonObjectBody(fr.gw, fr.req, fr.ctx);
  const requested = [...new Set(requestedExperimentIds(fr, api === 'v2' ? V2_IDS : V3_IDS, api === 'v2' ? undefined : (params as Record<string, unknown>)))];
  if (requested.length === 0) return api === 'v2' ? serveSearchTracesV2(fr) : serveSearchTracesV3(fr);
  const max = maxResultsParam(params, MAX_RESULTS.traces);
  if (!max.ok) return sendMlflowError(fr, 'INVALID_PARAMETER_VALUE', max.message);
  const plan = await planChildSearch(fr, 'trace', facts, requested);
  if (plan.searched.length === 0) {
    noteDecision(fr, 'traces (nothing readable)');
    return sendJson(fr, {});
  }
  const binding = tracesSource(api, fr.gw.config.upstreamUrl, plan.searched, params, childIds(fr, plan.childIds), { ...fr.upstreamCall, experimentOf: (id) => plan.experiments.get(id) });
  return servePagedSearch(fr, {
    binding,
    token: { kind: `traces_${api}`, mode: binding.mode, params: traceTokenParams(params, requested) },
    maxResults: max.value,
    pageToken: pageTokenParam(params),
    maxBatchSize: MAX_TRACES_BATCH,
  });
}

export async function serveSearchLoggedModels(fr: FilterRequest): Promise<true> {
  const facts = await factsFor(fr, 'logged_model');
  if (!facts) return serveExperimentIdsSearch(fr, 'logged models');
  const body = await jsonObjectBody(fr.gw, fr.req, fr.ctx);
  const requested = [...new Set(requestedExperimentIds(fr, LOGGED_MODEL_IDS, body))];
  if (requested.length === 0) return serveExperimentIdsSearch(fr, 'logged models');
  const max = maxResultsParam(body, MAX_RESULTS.loggedModels);
  if (!max.ok) return sendMlflowError(fr, 'INVALID_PARAMETER_VALUE', max.message);
  const plan = await planChildSearch(fr, 'logged_model', facts, requested);
  if (plan.searched.length === 0) {
    noteDecision(fr, 'logged models (nothing readable)');
    return sendJson(fr, {});
  }
  const binding = loggedModelsSource(fr.gw.config.upstreamUrl, body, { ...fr.upstreamCall, experimentOf: (id) => plan.experiments.get(id) }, {
    experimentIds: plan.searched, modelIds: childIds(fr, plan.childIds),
  });
  return servePagedSearch(fr, {
    binding,
    token: {
      kind: 'logged_models', mode: binding.mode,
      params: [requested, stringParam(body, 'filter') ?? '', param(body, 'order_by') ?? null, param(body, 'datasets') ?? null],
    },
    maxResults: max.value,
    pageToken: pageTokenParam(body),
    maxBatchSize: MAX_BATCH.loggedModels,
  });
}
