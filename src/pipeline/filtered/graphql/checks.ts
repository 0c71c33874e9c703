import { GatewayError, type DeniedResource } from '../../../errors/index.js';
import { mapLimit } from '../limit.js';
import { readableExperimentIds, type RequestAccess } from '../readable.js';
import type { RootField } from './root-fields.js';

// What each root field of MLflow 3.17.2's schema touches, and how the gateway authorizes it —
// the same answer the REST twin of each field gets:
//
//   (an id MLflow does not know passes: MLflow answers it with its own "does not exist" error)
//   Query.mlflowGetExperiment(input.experimentId)           read on the experiment, else refused
//   Query.mlflowGetRun(input.runId | runUuid)               read on the run's experiment (both ids
//   Query.mlflowListArtifacts(input.runId | runUuid)          when both are given), else refused
//   Query.mlflowGetMetricHistoryBulkInterval(input.runIds)  read on every run's experiment, else refused
//   Query/Mutation.mlflowSearchRuns(input.experimentIds)    narrowed to readable experiments; with run
//                                                           grants or rules, planned as runs/search
//                                                           (child-scoped.ts), every run post-filtered,
//                                                           full pages and the gateway's page tokens
//                                                           (run-pages.ts)
//   Mutation.mlflowSearchDatasets(input.experimentIds)      narrowed to readable experiments
//   Query.mlflowSearchModelVersions                         allowed; every model version in the
//                                                           answer is post-filtered as a child of its
//                                                           model (post-filter.ts)
//   Query.test, Mutation.testMutation, __typename, __schema, __type   echo / schema only: allowed
//   anything else                                           refused (fail closed)
//
// Nested fields: MlflowRunExtension.experiment is the run's own experiment (readable, since the run
// was); MlflowRunExtension.modelVersions searches model versions by run id and is post-filtered
// like mlflowSearchModelVersions. No other type of the schema resolves anything by itself.

/** Ids named across one request beyond this are refused before any lookup. */
export const MAX_IDS = 1000;

export interface CheckOptions {
  /** The caller reads every experiment: experiment checks are skipped (the field allow-list still applies). */
  readonly allExperiments: boolean;
  /**
   * The caller holds grants or rules on runs (issue #16): each mlflowSearchRuns field is sent
   * with the input this returns (run-pages.ts: planned as runs/search plans it, paged by the
   * gateway) and every run in the answer is post-filtered (post-filter.ts).
   */
  readonly planRuns?: (f: RootField, input: Record<string, unknown>) => Promise<Record<string, unknown>>;
}

/** New values of `input` for the fields whose arguments were narrowed. */
export type Rewrites = Map<RootField['node'], Record<string, unknown>>;

function deny(f: RootField, what: string, denied?: DeniedResource, named?: string): never {
  throw new GatewayError('GW_DENIED', `GraphQL field ${f.key} (${f.name}) names ${what} you may not read`, { ...(denied ? { denied } : {}), ...(named ? { named } : {}) });
}

function inputOf(f: RootField): Record<string, unknown> | undefined {
  const v = f.args.input;
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Non-empty string ids of `keys` in the input (lists flattened, nulls skipped). */
function idsAt(input: Record<string, unknown> | undefined, ...keys: string[]): string[] {
  const out: string[] = [];
  for (const k of keys) {
    const v = input?.[k];
    for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string' && x !== '') out.push(x);
  }
  return out;
}

/** Refuses the field unless every id passes (a few looked up at a time). */
async function requireAll(f: RootField, ids: string[], what: string, allowed: (id: string) => Promise<boolean>): Promise<void> {
  const unique = [...new Set(ids)];
  const ok = await mapLimit(unique, 16, allowed);
  const i = ok.indexOf(false);
  // An experiment the caller named is what MLflow's UI can offer to ask access for (a run would need its experiment looked up).
  if (i >= 0) deny(f, `${what} ${unique[i]}`, what === 'experiment' ? { resource_type: 'experiment', resource_id: unique[i]!, needed: 'READ' } : undefined, `${what}:${unique[i]}`.slice(0, 500));
}

export async function checkRootFields(access: RequestAccess, fields: readonly RootField[], opts: CheckOptions): Promise<Rewrites> {
  const named = fields.reduce((n, f) => n + idsAt(inputOf(f), 'experimentId', 'runId', 'runUuid', 'runIds', 'experimentIds').length, 0);
  if (named > MAX_IDS) throw new GatewayError('GW_BAD_REQUEST', `GraphQL request refused: it names more than ${MAX_IDS} objects`);
  const rewrites: Rewrites = new Map();
  for (const f of fields) {
    const input = inputOf(f);
    switch (`${f.parent.name}.${f.name}`) {
      case 'Query.__typename':
      case 'Mutation.__typename':
      case 'Query.__schema':
      case 'Query.__type':
      case 'Query.test':
      case 'Mutation.testMutation':
      case 'Query.mlflowSearchModelVersions':
        break;
      case 'Query.mlflowGetExperiment':
        if (opts.allExperiments) break;
        // An experiment that does not exist gets MLflow's own answer ("No Experiment with id=…").
        await requireAll(f, idsAt(input, 'experimentId'), 'experiment', async (id) => (await access.verdict('read', 'experiment_id', id)) !== 'deny');
        break;
      case 'Query.mlflowGetRun':
      case 'Query.mlflowListArtifacts':
      case 'Query.mlflowGetMetricHistoryBulkInterval':
        if (opts.allExperiments) break;
        await requireAll(f, idsAt(input, 'runId', 'runUuid', 'runIds'), 'run', async (id) => (await access.verdict('read', 'run_id', id)) !== 'deny');
        break;
      case 'Query.mlflowSearchRuns':
      case 'Mutation.mlflowSearchRuns':
      case 'Mutation.mlflowSearchDatasets': {
        if (!input) break;
        if (opts.planRuns && f.name === 'mlflowSearchRuns') {
          rewrites.set(f.node, await opts.planRuns(f, input));
          break;
        }
        if (opts.allExperiments) break;
        // Always rewritten: MLflow then searches exactly the (deduplicated, readable) list checked here.
        rewrites.set(f.node, { ...input, experimentIds: await readableExperimentIds(access, idsAt(input, 'experimentIds')) });
        break;
      }
      default:
        throw new GatewayError('GW_DENIED', `GraphQL field ${f.key} (${f.name}) is not allowed through this gateway`);
    }
  }
  return rewrites;
}
