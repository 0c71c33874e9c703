import { runsSource, stringParam, stringListParam, param, MAX_RUNS_BATCH } from '../../mlflow/filtered-search.js';
import type { ResolvedResource } from '../../mlflow/resolver.js';
import type { IdRef } from '../../mlflow/index.js';
import type { GrantLevel, Subject } from '../../policy/index.js';
import type { Gateway } from '../gateway.js';
import { jsonObjectBody } from './body.js';
import { serveExperimentIdsSearch } from './experiment-scoped.js';
import { mapLimit } from './limit.js';
import { requestedExperimentIds } from './narrow.js';
import { servePagedSearch } from './paged.js';
import { MAX_RESULTS, maxResultsParam, pageTokenParam } from './params.js';
import { PROBES, relayMlflowValidation } from './validation-probe.js';
import { readableExperimentIds } from './readable.js';
import { noteDecision, type FilterRequest } from './request.js';
import { sendJson, sendMlflowError } from './send.js';

// SearchRuns when the caller holds grants or rules on runs themselves (issue #16 child grants).
// Without any, experiments decide alone and the request is narrowed to the readable experiments
// and forwarded (experiment-scoped.ts). With some, every run is decided as a child of its
// experiment, with full pages and the gateway's own page tokens:
//   - no requested experiment readable, and access only from run grants: MLflow is asked for
//     exactly the granted runs (`attributes.run_id IN (…)` in the requested experiments), so the
//     cost follows the grants, not the experiment's size ('ids');
//   - otherwise the readable experiments, plus the unreadable ones holding granted runs (or all
//     of them when a run pattern rule may grant), are scanned and each run checked ('scan').
// A run DENY in a readable experiment is honoured either way: every run returned is checked.

const EXPERIMENT_IDS: IdRef = { kind: 'experiment_id', from: 'body', field: 'experiment_ids', many: true };

/** Most granted runs resolved to their experiment per request (the resolver caches them). */
const MAX_GRANTED_RUNS = 1000;

interface RunFacts {
  /** The subject holds a run grant or a run rule of any level (else experiments decide alone). */
  readonly any: boolean;
  /** Run ids granted at a level that gives something (not DENY / NO_PERMISSIONS). */
  readonly grantedIds: string[];
  /** A run pattern rule of the subject gives something: any run may be readable. */
  readonly grantingRules: boolean;
}

async function runFacts(gw: Gateway, subject: Subject): Promise<RunFacts> {
  const [grants, rules] = await Promise.all([
    gw.store.grants.resourceIdsWithGrants('run', subject.userId, subject.groups),
    gw.store.grants.patterns('run'),
  ]);
  const mine = rules.filter((r) => (r.principalType === 'user' ? r.principal === subject.userId : subject.groups.includes(r.principal)));
  const gives = (l: GrantLevel) => l !== 'DENY' && l !== 'NO_PERMISSIONS';
  return {
    any: grants.length > 0 || mine.length > 0,
    grantedIds: [...new Set(grants.filter((g) => gives(g.level)).map((g) => g.resourceId))],
    grantingRules: mine.some((r) => gives(r.level)),
  };
}

export async function serveSearchRuns(fr: FilterRequest): Promise<true> {
  const facts = fr.subject.isAdmin ? undefined : await runFacts(fr.gw, fr.subject);
  if (!facts?.any) return serveExperimentIdsSearch(fr, 'runs');
  const body = await jsonObjectBody(fr.gw, fr.req, fr.ctx);
  const max = maxResultsParam(body, MAX_RESULTS.runs);
  if (!max.ok) return (await relayMlflowValidation(fr, body, PROBES.runs)) ?? sendMlflowError(fr, 'INVALID_PARAMETER_VALUE', max.message);
  const requested = [...new Set(requestedExperimentIds(fr, EXPERIMENT_IDS, body))];
  const readable = await readableExperimentIds(fr.access, requested);
  const readableSet = new Set(readable);

  // The requested experiments MLflow knows, with their names (pattern rules on experiments).
  const experiments = new Map<string, ResolvedResource>();
  await mapLimit(requested, 16, async (id) => {
    const r = await fr.gw.resolver.resolve('experiment_id', id);
    if (r.ok && r.resources[0]) experiments.set(id, r.resources[0]);
  });
  const unreadable = requested.filter((id) => !readableSet.has(id) && experiments.has(id));

  let searched: string[];
  let runIds: string[] | undefined;
  if (facts.grantingRules) {
    searched = [...readable, ...unreadable];
  } else {
    // Which unreadable experiments hold a granted run (each run resolved once, cached).
    const granted = facts.grantedIds.slice(0, MAX_GRANTED_RUNS);
    const owners = await mapLimit(granted, 16, async (id) => {
      const r = await fr.gw.resolver.resolve('run_id', id);
      return r.ok ? r.resources[0]?.parent?.id : undefined;
    });
    const wanted = new Set(unreadable);
    const holding = new Set(owners.filter((e): e is string => e !== undefined && wanted.has(e)));
    searched = [...readable, ...unreadable.filter((id) => holding.has(id))];
    if (readable.length === 0) runIds = granted.filter((_, i) => owners[i] !== undefined && holding.has(owners[i] as string));
    if (facts.grantedIds.length > MAX_GRANTED_RUNS) {
      searched = [...readable, ...unreadable];
      runIds = undefined;
    }
  }
  if (searched.length === 0 || (runIds !== undefined && runIds.length === 0)) {
    noteDecision(fr, 'runs (nothing readable)');
    return sendJson(fr, {});
  }
  const binding = runsSource(fr.gw.config.upstreamUrl, searched, body, runIds, { ...fr.upstreamCall, experimentOf: (id) => experiments.get(id) });
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
