import { GatewayError } from '../../errors/index.js';
import type { Action, Resource, Subject } from '../../policy/index.js';
import type { Gateway } from '../gateway.js';
import { mapLimit } from './limit.js';

/** How many AccessControl.check calls one request runs at once (each is a couple of store queries). */
const CHECK_CONCURRENCY = 16;

/**
 * Permission questions of one request, answered by AccessControl.check and memoised for the
 * request's lifetime: a page of model versions asks about the same model many times, a GraphQL
 * query may name one run twice. Nothing is cached across requests (grants change).
 */
export interface RequestAccess {
  readonly subject: Subject;
  allowed(action: Action, resource: Resource): Promise<boolean>;
  /** allowed() for many resources, a bounded number in flight; results in input order. */
  allowedEach(action: Action, resources: readonly Resource[]): Promise<boolean[]>;
  /**
   * May the subject `action` the experiment with this id? The experiment's name (which pattern
   * rules match) comes from MLflow through the resolver. An id MLflow does not know, or one only
   * administrators may name, is not allowed; an unreachable MLflow is an error, not a "no".
   */
  experimentAllowed(action: Action, experimentId: string): Promise<boolean>;
  /** Same, for the experiment a run belongs to. */
  runAllowed(action: Action, runId: string): Promise<boolean>;
  /**
   * Like experimentAllowed / runAllowed, but an id MLflow does not know is 'missing' rather than
   * refused: where MLflow answers such an id with its own "does not exist" (GraphQL), the client
   * gets that answer (issue #14, cause 7); nothing exists that could be disclosed.
   */
  verdict(action: Action, kind: 'experiment_id' | 'run_id', id: string): Promise<'allow' | 'deny' | 'missing'>;
}

export function createRequestAccess(gw: Gateway, subject: Subject): RequestAccess {
  const decisions = new Map<string, Promise<boolean>>();

  function allowed(action: Action, resource: Resource): Promise<boolean> {
    const key = JSON.stringify([action, resource.type, resource.id, resource.name ?? null]);
    let p = decisions.get(key);
    if (!p) {
      p = gw.access.check(subject, action, resource).then((d) => d.allow);
      decisions.set(key, p);
    }
    return p;
  }

  async function verdict(action: Action, kind: 'experiment_id' | 'run_id', id: string): Promise<'allow' | 'deny' | 'missing'> {
    const r = await gw.resolver.resolve(kind, id);
    if (!r.ok) {
      if (r.reason === 'upstream_error') throw new GatewayError('GW_UPSTREAM_UNAVAILABLE', 'MLflow could not be asked who owns the requested objects', { detail: r.message });
      return r.reason === 'not_found' ? 'missing' : 'deny';
    }
    if (r.resources.length === 0) return 'deny';
    const each = await Promise.all(r.resources.map((res) => allowed(action, res)));
    return each.every(Boolean) ? 'allow' : 'deny';
  }

  async function resolvedAllowed(action: Action, kind: 'experiment_id' | 'run_id', id: string): Promise<boolean> {
    return (await verdict(action, kind, id)) === 'allow';
  }

  return {
    subject,
    allowed,
    allowedEach: (action, resources) => mapLimit(resources, CHECK_CONCURRENCY, (r) => allowed(action, r)),
    experimentAllowed: (action, id) => resolvedAllowed(action, 'experiment_id', id),
    runAllowed: (action, id) => resolvedAllowed(action, 'run_id', id),
    verdict,
  };
}

/** The readable experiment ids among `ids` (deduplicated, request order), a few resolved at a time. */
export async function readableExperimentIds(access: RequestAccess, ids: readonly string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const ok = await mapLimit(unique, CHECK_CONCURRENCY, (id) => access.experimentAllowed('read', id));
  return unique.filter((_, i) => ok[i]);
}

/** The items whose resource the subject may `action`; an item without a resource is dropped (nothing to decide on). */
export async function keepAllowed<T>(access: RequestAccess, action: Action, items: readonly T[], resourceOf: (item: T) => Resource | undefined): Promise<T[]> {
  const resources = items.map(resourceOf);
  const ok = await mapLimit(resources, CHECK_CONCURRENCY, (r) => (r === undefined ? Promise.resolve(false) : access.allowed(action, r)));
  return items.filter((_, i) => ok[i]);
}
