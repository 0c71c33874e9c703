import { Kind, print, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { GatewayError } from '../../../errors/index.js';
import { filteredPage, MAX_IDS_IN_FILTER, MAX_RUNS_BATCH, MlflowSearchError, PLAIN_RUN_ID, defaultBatchSize, type FilteredSearchState } from '../../../mlflow/filtered-search.js';
import { mlflowCall, type ResolvedResource } from '../../../mlflow/resolver.js';
import type { Resource } from '../../../policy/index.js';
import type { ChildFacts } from '../child-scoped.js';
import { planChildSearch } from '../child-scoped.js';
import { isObject } from '../json.js';
import { MAX_UPSTREAM_BATCH } from '../paged.js';
import { readPageToken, writePageToken, type TokenBinding } from '../page-token.js';
import { MAX_RESULTS } from '../params.js';
import { noteDecision, type FilterRequest } from '../request.js';
import type { Rewrites } from './checks.js';
import { usedFragments } from './document.js';
import { finalDocument } from './post-filter.js';
import type { RootField } from './root-fields.js';

// Full pages for GraphQL run lists (issue #16), as REST runs/search has them (paged.ts). When the
// caller holds run grants or rules, every run of an mlflowSearchRuns answer is checked as a child
// of its experiment, so MLflow's page alone would come back short. For each such root field the
// gateway:
//   * plans the search as runs/search does (child-scoped.ts: readable experiments plus those
//     holding granted runs; with only run grants, exactly the granted runs);
//   * reads the client's pageToken as the gateway's own signed token (page-token.ts), bound to the
//     caller, the plan's mode and the client's experimentIds/filter/orderBy/runViewType — a token
//     of another query, another caller or REST runs/search is refused, and so is MLflow's own
//     (a client cannot steer the upstream offset);
//   * asks MLflow for upstream pages of a fixed batch size — the first inside the client's own
//     operation, the following ones with that root field alone — until the page is full
//     (filteredPage), and answers the readable runs under every `runs` alias of the field and the
//     gateway's token under every `nextPageToken` alias.
// Marker aliases (post-filter.ts's nonce): `<nonce>t` is MLflow's nextPageToken, `<nonce>p` a
// `runs` list carrying only the ids a run is decided by; both are removed from the answer.

/** The response keys, inside a root field's selection, of the fields named `name` (through fragments). */
function keysOf(set: SelectionSetNode | undefined, name: string, fragments: Map<string, SelectionSetNode>, seen = new Set<string>()): string[] {
  const out: string[] = [];
  for (const s of set?.selections ?? []) {
    if (s.kind === Kind.FIELD) {
      if (s.name.value === name) out.push(s.alias?.value ?? name);
    } else if (s.kind === Kind.INLINE_FRAGMENT) out.push(...keysOf(s.selectionSet, name, fragments, seen));
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      out.push(...keysOf(fragments.get(s.name.value), name, fragments, seen));
    }
  }
  return [...new Set(out)];
}

/** One mlflowSearchRuns response key the gateway pages itself. */
export interface RunPaging {
  readonly key: string;
  readonly fields: RootField[];
  /** The planned input without page fields (experimentIds narrowed, run-id clause added). */
  readonly input: Record<string, unknown>;
  readonly maxResults: number;
  readonly resume: FilteredSearchState | undefined;
  readonly batchSize: number;
  readonly binding: TokenBinding;
  readonly experiments: Map<string, ResolvedResource>;
}

/** `attributes.run_id IN (…)` ANDed to the client's filter (ids as runs/search quotes them). */
function withRunIds(filter: unknown, runIds: readonly string[]): string {
  const clause = `attributes.run_id IN (${runIds.map((id) => `'${id}'`).join(',')})`;
  const client = typeof filter === 'string' ? filter.trim() : '';
  return client ? `${client} AND ${clause}` : clause;
}

/** MLflow's max_results for this input, or undefined when MLflow would refuse it (MLflow then answers, unpaged). */
function maxResultsOf(input: Record<string, unknown>): number | undefined {
  const v = input.maxResults;
  if (v === undefined || v === null) return MAX_RESULTS.runs.default;
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= MAX_RESULTS.runs.max ? v : undefined;
}

const ids = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x !== '');

/**
 * Plans the run searches of one request. `planRuns` for checkRootFields gives the input each
 * mlflowSearchRuns field is sent with; `pagings` then holds the fields the gateway pages.
 */
export function runPlanner(fr: FilterRequest, facts: ChildFacts) {
  const pagings = new Map<string, RunPaging>();
  const planRuns = async (f: RootField, input: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const requested = [...new Set(ids(input.experimentIds))];
    const plan = await planChildSearch(fr, 'run', facts, requested);
    const runIds = plan.childIds?.filter((id) => PLAIN_RUN_ID.test(id));
    const byIds = runIds !== undefined && runIds.length > 0 && runIds.length <= MAX_IDS_IN_FILTER;
    const { pageToken, maxResults: _max, ...rest } = input;
    const planned = { ...rest, experimentIds: plan.searched, ...(byIds ? { filter: withRunIds(input.filter, runIds) } : {}) };
    const max = maxResultsOf(input);
    // MLflow refuses this max_results itself: send the client's values (its answer is still post-filtered).
    if (max === undefined) return { ...planned, ...(pageToken !== undefined ? { pageToken } : {}), maxResults: input.maxResults };
    const binding: TokenBinding = {
      kind: 'graphql-runs', subject: fr.subject, mode: byIds ? 'ids' : 'scan',
      params: [requested, typeof input.filter === 'string' ? input.filter : '', ids(input.orderBy), input.runViewType ?? null],
    };
    const token = typeof pageToken === 'string' && pageToken !== '' ? pageToken : undefined;
    const resume = readPageToken(fr.gw.config, token, binding, MAX_RUNS_BATCH);
    if (resume === 'invalid') {
      throw new GatewayError('GW_BAD_REQUEST', `GraphQL field ${f.key} (mlflowSearchRuns): invalid pageToken: it was not issued by this gateway for this search (or the search changed); start again without it`);
    }
    const batchSize = resume?.batchSize ?? Math.min(byIds ? max : defaultBatchSize(max, MAX_RUNS_BATCH), MAX_UPSTREAM_BATCH);
    const prior = pagings.get(f.key);
    // Two root fields under one key have the same arguments (GraphQL validation): one paging.
    pagings.set(f.key, { key: f.key, fields: [...(prior?.fields ?? []), f], input: planned, maxResults: max, resume, batchSize, binding, experiments: plan.experiments });
    return pageInput(planned, resume?.upstreamToken, batchSize);
  };
  return { planRuns, pagings };
}

function pageInput(planned: Record<string, unknown>, upstreamToken: string | undefined, batchSize: number): Record<string, unknown> {
  return { ...planned, maxResults: batchSize, ...(upstreamToken ? { pageToken: upstreamToken } : {}) };
}

export interface PagingContext {
  readonly fr: FilterRequest;
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly schema: GraphQLSchema;
  readonly nonce: string;
  readonly filterModels: boolean;
}

interface PagedRun {
  readonly page: Record<string, unknown>;
  readonly index: number;
  readonly resource: Resource | undefined;
}

/**
 * Replaces, in `data`, each paged field's value by a full page of readable runs with the
 * gateway's token; `data` is MLflow's answer to the client's operation (the first upstream page
 * of each paged field). Throws MlflowSearchError when a follow-up upstream page fails.
 */
export async function fillRunPages(c: PagingContext, pagings: Map<string, RunPaging>, data: unknown): Promise<unknown> {
  if (!isObject(data) || pagings.size === 0) return data;
  const out: Record<string, unknown> = { ...data };
  for (const p of pagings.values()) {
    const first = data[p.key];
    if (!isObject(first)) continue; // skipped (@skip) or refused by MLflow (its error is in `errors`)
    out[p.key] = await fillOne(c, p, first);
  }
  return out;
}

async function fillOne(c: PagingContext, p: RunPaging, first: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { fr, nonce } = c;
  const fragments = new Map(c.document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d.selectionSet] as const] : [])));
  const runKeys = [...new Set(p.fields.flatMap((f) => keysOf(f.node.selectionSet, 'runs', fragments)))];
  const tokenKeys = [...new Set(p.fields.flatMap((f) => keysOf(f.node.selectionSet, 'nextPageToken', fragments)))];
  const experimentOf = async (id: string): Promise<ResolvedResource | undefined> => {
    const known = p.experiments.get(id);
    if (known) return known;
    const e = await fr.gw.resolver.resolve('experiment_id', id);
    return e.ok ? e.resources[0] : undefined;
  };
  let pending: Record<string, unknown> | undefined = first;
  let last: Record<string, unknown> = first;
  const source = {
    maxBatchSize: MAX_RUNS_BATCH,
    fetch: async (token: string | undefined, batchSize: number) => {
      const page = pending ?? (await followUp(c, p, token, batchSize));
      pending = undefined;
      last = page;
      const marked = Array.isArray(page[`${nonce}p`]) ? (page[`${nonce}p`] as unknown[]) : [];
      const resources = await Promise.all(marked.map(async (m): Promise<Resource | undefined> => {
        const info = isObject(m) ? m[`${nonce}r`] : undefined;
        if (!isObject(info) || typeof info.runId !== 'string' || typeof info.experimentId !== 'string') return undefined;
        const parent = await experimentOf(info.experimentId);
        return parent && { type: 'run', id: info.runId, ...(typeof info.runName === 'string' && info.runName ? { name: info.runName } : {}), parent };
      }));
      const ok = await fr.access.allowedEach('read', resources.filter((r): r is Resource => r !== undefined));
      let k = 0;
      const items: PagedRun[] = resources.map((resource, index) => ({ page, index, resource: resource && ok[k++] === true ? resource : undefined }));
      const next = page[`${nonce}t`];
      return { items, nextPageToken: typeof next === 'string' && next !== '' ? next : undefined };
    },
  };
  const result = await filteredPage<PagedRun>({ source, readable: (r) => r.resource !== undefined, maxResults: p.maxResults, resumeToken: p.resume, batchSize: p.batchSize });
  const answer: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(first)) if (k !== `${nonce}p` && k !== `${nonce}t`) answer[k] = v;
  for (const k of runKeys) {
    if (!(k in first)) continue; // not in MLflow's answer: nothing to fill (fail closed: never added)
    const entries = result.items.map((r) => (Array.isArray(r.page[k]) ? (r.page[k] as unknown[])[r.index] : undefined));
    // Every run must be there under every alias (one resolver, one list); anything else is not MLflow's answer.
    if (entries.some((e) => e === undefined)) throw new MlflowSearchError('MLflow answered mlflowSearchRuns with lists of different lengths', 502, 'INTERNAL_ERROR', undefined);
    answer[k] = entries;
  }
  const token = result.next ? writePageToken(fr.gw.config, result.next, p.binding) : undefined;
  for (const k of tokenKeys) if (k in first) answer[k] = token ?? last[k] ?? null;
  noteDecision(fr, `${p.key} paged (${p.binding.mode}, ${result.items.length} runs, ${result.upstreamPages} upstream pages)`);
  return answer;
}

/** The next upstream page of one paged field: the field alone, with MLflow's token and the fixed batch size. */
async function followUp(c: PagingContext, p: RunPaging, token: string | undefined, batchSize: number): Promise<Record<string, unknown>> {
  const op: OperationDefinitionNode = { kind: Kind.OPERATION_DEFINITION, operation: c.operation.operation, selectionSet: { kind: Kind.SELECTION_SET, selections: p.fields.map((f) => f.node) } };
  const doc: DocumentNode = { kind: Kind.DOCUMENT, definitions: [op, ...usedFragments(c.document, op.selectionSet)] };
  const rewrites: Rewrites = new Map(p.fields.map((f) => [f.node, pageInput(p.input, token, batchSize)]));
  const { document } = finalDocument(doc, p.fields, rewrites, c.filterModels, true, c.schema, { nonce: c.nonce, pagedRuns: new Set(p.fields.map((f) => f.node)) });
  const r = await mlflowCall(c.fr.gw.config.upstreamUrl, '/graphql', { method: 'POST', body: { query: print(document) }, ...c.fr.upstreamCall });
  if (r.kind === 'network_error') throw new MlflowSearchError(r.message, undefined, undefined, undefined);
  if (r.kind !== 'ok') throw new MlflowSearchError(r.message, r.status, r.errorCode, r.json);
  const value = isObject(r.json) && isObject(r.json.data) ? r.json.data[p.key] : undefined;
  // MLflow refused a page it accepted before (the data changed under the pagination): relay its
  // errors only (the rest of that answer was never checked).
  if (!isObject(value)) {
    const errors = isObject(r.json) && Array.isArray(r.json.errors) ? r.json.errors : ['MLflow refused a follow-up page of this search'];
    throw new MlflowSearchError('MLflow refused a follow-up page of mlflowSearchRuns', 200, undefined, { data: { [p.key]: null }, errors });
  }
  return value;
}
