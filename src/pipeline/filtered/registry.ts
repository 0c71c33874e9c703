import {
  MAX_BATCH,
  MAX_IDS_IN_FILTER,
  modelVersionsSource,
  registeredModelsSource,
  stringListParam,
  stringParam,
  type MlflowRegisteredModel,
  type SearchBinding,
  type SearchParams,
} from '../../mlflow/filtered-search.js';
import type { ResourceType } from '../../policy/index.js';
import { redactModel, versionsMayBeHidden } from '../embedded-versions.js';
import { candidateIds } from './candidates.js';
import { servePagedSearch } from './paged.js';
import { MAX_RESULTS, maxResultsParam, pageTokenParam, type MaxResultsRule } from './params.js';
import { noteDecision, searchParams, type FilterRequest } from './request.js';
import { sendJson, sendMlflowError } from './send.js';
import { PROBES, relayMlflowValidation, type ProbeTarget } from './validation-probe.js';

// SearchRegisteredModels and SearchModelVersions. Both filter grammars accept `name IN (…)`
// (SearchModelUtils / SearchModelVersionUtils LIST_SUPPORTED_KEYS include "name", verified on
// 3.17.2), so when the caller's readable models are known in advance MLflow is asked for exactly
// those names, ANDed to the client's filter; otherwise MLflow's pages are scanned and each model
// (or each version's model) is checked. Before 3.17 both grammars refuse IN lists on `name` ("Only
// the 'run_id' attribute supports comparison with a list", 2.9.2 … 3.16.1): there, always the scan.

/**
 * Names that can be quoted in MLflow's filter grammar without relying on its escape rules:
 * sqlparse/MLflow handle `\'` but not SQL's doubled `''`, so a name with a quote or a backslash
 * (or a control character) makes the whole search fall back to scanning.
 */
const PLAIN_NAME = /^[^'\\\u0000-\u001f\u007f]+$/;

type Mode = 'ids' | 'scan' | 'empty';

/** The client's parameters with `name IN (…)` appended to the filter, or why that cannot be done. */
function narrowedByName(p: SearchParams, names: readonly string[] | undefined, inFilter: boolean): { mode: Mode; params: SearchParams } {
  if (names === undefined) return { mode: 'scan', params: p };
  const unique = [...new Set(names)];
  if (unique.length === 0) return { mode: 'empty', params: p };
  if (!inFilter || unique.length > MAX_IDS_IN_FILTER || !unique.every((n) => PLAIN_NAME.test(n))) return { mode: 'scan', params: p };
  const clause = `name IN (${unique.map((n) => `'${n}'`).join(',')})`;
  const client = (stringParam(p, 'filter') ?? '').trim();
  const orderBy = stringListParam(p, 'order_by');
  return { mode: 'ids', params: { filter: client ? `${client} AND ${clause}` : clause, ...(orderBy ? { order_by: orderBy } : {}) } };
}

/** In 'ids' mode every item MLflow returns is expected to be readable: batch = page size, one upstream call per page. */
function exactBatches<T>(b: SearchBinding<T>, mode: Mode): SearchBinding<T> {
  return mode === 'ids' ? { ...b, source: { ...b.source, defaultBatchSize: (maxResults: number) => maxResults } } : b;
}

async function serveRegistrySearch<T>(
  fr: FilterRequest,
  kind: string,
  rule: MaxResultsRule,
  probe: ProbeTarget,
  maxBatchSize: number,
  makeBinding: (upstream: string, params: SearchParams) => SearchBinding<T>,
  redactItem?: (item: T) => Promise<T>,
): Promise<true> {
  const p = await searchParams(fr);
  const max = maxResultsParam(p, rule);
  if (!max.ok) return (await relayMlflowValidation(fr, p, probe)) ?? sendMlflowError(fr, 'INVALID_PARAMETER_VALUE', max.message);
  // Prompts are registered models to MLflow: a search may return either, so the candidates are
  // the granted models, prompts and (for version searches) the models of granted versions.
  const { mode, params } = narrowedByName(p, await registryCandidates(fr, kind === 'model_versions'), fr.gw.mlflow.capabilities().modelNameInFilter);
  if (mode === 'empty') {
    noteDecision(fr, `${kind} (nothing readable)`);
    return sendJson(fr, {});
  }
  return servePagedSearch(fr, {
    binding: exactBatches(makeBinding(fr.gw.config.upstreamUrl, params), mode),
    token: { kind, mode, params: [stringParam(p, 'filter') ?? '', stringListParam(p, 'order_by') ?? []] },
    maxResults: max.value,
    pageToken: pageTokenParam(p),
    maxBatchSize,
    ...(redactItem ? { redactItem } : {}),
  });
}

async function registryCandidates(fr: FilterRequest, versions: boolean): Promise<string[] | undefined> {
  const types: ResourceType[] = versions ? ['registered_model', 'prompt', 'model_version', 'prompt_version'] : ['registered_model', 'prompt'];
  const all = await Promise.all(types.map((t) => candidateIds(fr.gw, fr.subject, t)));
  if (all.some((ids) => ids === undefined)) return undefined;
  // Version ids are `<model>/<version>`: their model is everything before the last slash.
  return [...new Set(all.flatMap((ids, i) => (types[i] === 'model_version' || types[i] === 'prompt_version' ? (ids ?? []).map(modelOfVersion) : (ids ?? []))))];
}

function modelOfVersion(id: string): string {
  const cut = id.lastIndexOf('/');
  return cut > 0 ? id.slice(0, cut) : id;
}

export async function serveSearchRegisteredModels(fr: FilterRequest): Promise<true> {
  // A model's latest_versions keep only the versions the caller may read (embedded-versions.ts).
  const redact = (await versionsMayBeHidden(fr.gw, fr.subject)) ? (m: MlflowRegisteredModel) => redactModel(m, (r) => fr.access.allowed('read', r)) as Promise<MlflowRegisteredModel> : undefined;
  return serveRegistrySearch(fr, 'registered_models', MAX_RESULTS.registeredModels, PROBES.registeredModels, MAX_BATCH.registeredModels, (u, params) =>
    registeredModelsSource(u, params, { ...fr.upstreamCall, promptsAsPrompt: true }),
  redact);
}

export function serveSearchModelVersions(fr: FilterRequest): Promise<true> {
  return serveRegistrySearch(fr, 'model_versions', MAX_RESULTS.modelVersions, PROBES.modelVersions, MAX_BATCH.modelVersions, (u, params) =>
    modelVersionsSource(u, params, { ...fr.upstreamCall, promptsAsPrompt: true }),
  );
}
