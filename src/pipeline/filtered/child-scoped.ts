import type { ResolvedResource } from '../../mlflow/resolver.js';
import type { GrantLevel, Subject } from '../../policy/index.js';
import type { Gateway } from '../gateway.js';
import { mapLimit } from './limit.js';
import { readableExperimentIds } from './readable.js';
import type { FilterRequest } from './request.js';

// Searches scoped by experiments whose items are children with grants of their own (issue #16):
// runs/search, traces/search (v2 and v3), logged-models/search. Without any grant or rule on the
// child type for the caller, experiments decide alone and the request is narrowed to the readable
// experiments and forwarded (experiment-scoped.ts). With some, every item is decided as a child
// of its experiment, with full pages and the gateway's own page tokens (paged.ts). This module
// picks WHAT to ask MLflow for:
//   - no requested experiment readable, and access only from child grants: MLflow is asked for
//     exactly the granted children (`… IN (…)` ANDed to the client's filter, in the requested
//     experiments that hold them), so the cost follows the grants, not the experiments' size;
//   - otherwise the readable experiments, plus the unreadable ones holding granted children (or
//     all of them when a pattern rule on the child type may grant), are scanned.
// Every item returned is still checked (a child DENY in a readable experiment is honoured either
// way; the appended clause is concatenated to client text, so the check is defence in depth).

export type ScopedChildType = 'run' | 'trace' | 'logged_model';

const LOOKUP: Readonly<Record<ScopedChildType, 'run_id' | 'trace_id' | 'logged_model_id'>> = {
  run: 'run_id',
  trace: 'trace_id',
  logged_model: 'logged_model_id',
};

/** Most granted children resolved to their experiment per request (the resolver caches them). */
export const MAX_GRANTED_CHILDREN = 1000;

export interface ChildFacts {
  /** The subject holds a grant or a rule of any level on this child type (else experiments decide alone). */
  readonly any: boolean;
  /** Child ids granted at a level that gives something (not DENY / NO_PERMISSIONS). */
  readonly grantedIds: string[];
  /** A pattern rule of the subject on this child type gives something: any child may be readable. */
  readonly grantingRules: boolean;
}

export async function childFacts(gw: Gateway, subject: Subject, type: ScopedChildType): Promise<ChildFacts> {
  const [grants, rules] = await Promise.all([
    gw.store.grants.resourceIdsWithGrants(type, subject.userId, subject.groups),
    gw.store.grants.patterns(type),
  ]);
  const mine = rules.filter((r) => (r.principalType === 'user' ? r.principal === subject.userId : subject.groups.includes(r.principal)));
  const gives = (l: GrantLevel) => l !== 'DENY' && l !== 'NO_PERMISSIONS';
  return {
    any: grants.length > 0 || mine.length > 0,
    grantedIds: [...new Set(grants.filter((g) => gives(g.level)).map((g) => g.resourceId))],
    grantingRules: mine.some((r) => gives(r.level)),
  };
}

export interface ChildSearchPlan {
  /** The requested experiments MLflow knows, with their names (pattern rules on experiments). */
  readonly experiments: Map<string, ResolvedResource>;
  /** The experiments to search (request order). Empty: nothing can be readable, answer `{}`. */
  readonly searched: string[];
  /** Ask MLflow for exactly these children ('ids' mode); undefined = scan `searched`. Never empty. */
  readonly childIds: string[] | undefined;
}

export async function planChildSearch(fr: FilterRequest, type: ScopedChildType, facts: ChildFacts, requested: readonly string[]): Promise<ChildSearchPlan> {
  const readable = await readableExperimentIds(fr.access, requested);
  const readableSet = new Set(readable);
  const experiments = new Map<string, ResolvedResource>();
  await mapLimit(requested, 16, async (id) => {
    const r = await fr.gw.resolver.resolve('experiment_id', id);
    if (r.ok && r.resources[0]) experiments.set(id, r.resources[0]);
  });
  const unreadable = requested.filter((id) => !readableSet.has(id) && experiments.has(id));
  if (facts.grantingRules || facts.grantedIds.length > MAX_GRANTED_CHILDREN) {
    return { experiments, searched: [...readable, ...unreadable], childIds: undefined };
  }
  // Which unreadable experiments hold a granted child (each child resolved once, cached).
  const granted = facts.grantedIds;
  const owners = await mapLimit(granted, 16, async (id) => {
    const r = await fr.gw.resolver.resolve(LOOKUP[type], id);
    return r.ok ? r.resources[0]?.parent?.id : undefined;
  });
  const wanted = new Set(unreadable);
  const holding = new Set(owners.filter((e): e is string => e !== undefined && wanted.has(e)));
  const searched = [...readable, ...unreadable.filter((id) => holding.has(id))];
  if (readable.length > 0) return { experiments, searched, childIds: undefined };
  const childIds = granted.filter((_, i) => owners[i] !== undefined && holding.has(owners[i] as string));
  return { experiments, searched: childIds.length > 0 ? searched : [], childIds: childIds.length > 0 ? childIds : undefined };
}
