import { classify, normalizePath } from '../../src/mlflow/index.js';
import { inRange, version as parseLiteral, type VersionRange } from '../../src/compat/index.js';
import { callerFor, unique, userId } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';
import { compare, type Comparison, type Mismatch, type Mode } from './compare.js';
import { runDriver, type DriverRecord } from './run.js';

// The differential session (scenarios.py) against one MLflow version: its own server and its own
// Python client, directly and through two gateways in front of it (an administrator; an ordinary
// user with default MANAGE and NO_PERMISSIONS grants (hideFromAlice), as differential.test.ts), compared with
// compare.ts. Used by the compatibility suite (test/compat) for every version of the matrix.
//
// Version gating is by capability, not by lists: the scenarios are the pinned client's, so on an
// older MLflow an operation either does not exist in that client (the same client error on both
// sides: compared as usual) or reaches a route that version does not serve. The latter is found
// from the route table (src/mlflow/route-versions.ts, generated from each version's server): an
// operation whose direct exchanges hit a route the version's table lacks and that MLflow itself
// answered 404/405 is reported as "not served by this version" and not compared (the gateway
// refuses unknown routes for non-administrators by design).

export interface VersionedComparison extends Comparison {
  /** Operations skipped because they need a route this MLflow version does not serve. */
  readonly notServed: readonly string[];
}

/**
 * Differences found on older versions only and not removed yet (reported, not failed: the test
 * prints them). Remove an entry when it stops matching; a new difference fails the suite.
 */
export const VERSION_PENDING: ReadonlyArray<{ readonly ops: RegExp; readonly modes: readonly Mode[]; readonly range: VersionRange; readonly owner: string }> = [
  {
    owner: "the gateway's own not-found messages (a non-administrator naming a missing experiment or model) use 3.17's wording; 2.x and 3.0 word them differently (\"No Experiment with id=abc exists\", \"Registered Model with name=… not found\")",
    modes: ['user'],
    range: { until: '3.0' },
    ops: /^(runs\.create\.malformed_experiment|registry\.delete\.unknown)$/,
  },
  {
    owner: "HTTP reason phrase: the Flask-only servers' Werkzeug (2.x, 3.0) sends 'BAD REQUEST', the gateway's Node server 'Bad Request' (the client quotes it in its message)",
    modes: ['admin', 'user'],
    range: { until: '3.0' },
    ops: /^artifacts\.list\.dotdot$/,
  },
  {
    owner: "a GraphQL field the version lacks (Query.mlflowSearchRuns arrives in 3.10): the gateway validates against that version's schema and refuses it (400 GW_BAD_REQUEST, fail closed: an unknown field is never forwarded), MLflow answers 200 with its own validation errors",
    modes: ['user'],
    range: { since: '2.22', until: '3.9' },
    ops: /^graphql\.search_runs(\.pages)?$/,
  },
  {
    owner: 'not a gateway difference: 2.x and 3.0 read a string experiment_ids as the list of its characters, and the direct and gateway sessions own different experiment ids, so the runs listed differ',
    modes: ['admin', 'user'],
    range: { until: '3.0' },
    ops: /^runs\.raw\.search\.wrong_type$/,
  },
  {
    owner: "not a gateway difference: 3.10's v2 trace APIs list a trace's request_metadata in storage order, which differs between the sessions (the administrator's answer is forwarded unchanged and differs the same way)",
    modes: ['admin', 'user'],
    range: { since: '3.10', until: '3.10' },
    ops: /^traces\.raw\.v2\.(info|search)$/,
  },
];

const API_START = /\/(?:api|ajax-api|graphql|gateway|v1|get-artifact|model-versions)(?:\/|$)/;

/** The MLflow path of a recorded exchange (the driver keeps the target's URL, normalised, in front). */
function mlflowPath(recorded: string): string | undefined {
  const m = API_START.exec(recorded);
  return m ? recorded.slice(m.index) : undefined;
}

/** Operations that reach a route `mlflowVersion` does not serve (MLflow answered 404/405 for it). */
export function notServedOps(direct: readonly DriverRecord[], mlflowVersion: string): Set<string> {
  const v = parseLiteral(mlflowVersion);
  const out = new Set<string>();
  for (const r of direct) {
    for (const x of r.http) {
      const path = typeof x.path === 'string' ? mlflowPath(x.path) : undefined;
      const status = x.status;
      if (!path || typeof x.method !== 'string' || (status !== 404 && status !== 405)) continue;
      const normalized = normalizePath(path);
      if (!normalized.ok || !classify(x.method, normalized.path, v).ok) out.add(r.op);
    }
  }
  return out;
}

export function gateByVersion(c: Comparison, notServed: ReadonlySet<string>, mlflowVersion: string): VersionedComparison {
  const v = parseLiteral(mlflowVersion);
  const pending: Record<string, string[]> = Object.fromEntries(Object.entries(c.pending).map(([k, ops]) => [k, [...ops]]));
  const mismatches: Mismatch[] = [];
  for (const m of c.mismatches) {
    if (notServed.has(m.op)) continue;
    const owner = VERSION_PENDING.find((p) => p.modes.includes(c.mode) && inRange(v, p.range) && p.ops.test(m.op))?.owner;
    if (owner) (pending[owner] ??= []).push(m.op);
    else mismatches.push(m);
  }
  return { ...c, mismatches, pending, notServed: [...notServed].sort() };
}

/**
 * The ordinary user's NO_PERMISSIONS grants, so that the filtering code is on every list's path:
 * alice may not see one experiment, nor one run in it (run lists — runs/search, GraphQL
 * mlflowSearchRuns — then take the child-grant path: every run decided as a child, full pages with
 * the gateway's tokens).
 */
export async function hideFromAlice(user: Stack, mlflowUrl: string): Promise<void> {
  const alice = await callerFor(user, 'alice');
  await alice.get('experiments/search', { max_results: '1' });
  const create = async (path: string, body: unknown) =>
    (await (await fetch(`${mlflowUrl}/api/2.0/mlflow/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Record<string, any>;
  const hiddenId = (await create('experiments/create', { name: unique('diff-hidden') })).experiment_id as string;
  const hiddenRunId = (await create('runs/create', { experiment_id: hiddenId })).run.info.run_id as string;
  const principal = await userId(user, 'alice');
  await user.server.gateway.store.grants.set({ principalType: 'user', principal, resourceType: 'experiment', resourceId: hiddenId, level: 'NO_PERMISSIONS' });
  await user.server.gateway.store.grants.set({ principalType: 'user', principal, resourceType: 'run', resourceId: hiddenRunId, level: 'NO_PERMISSIONS' });
}

export async function differentialAgainst(mlflowUrl: string, venv: string, mlflowVersion: string): Promise<Map<Mode, VersionedComparison>> {
  const [admin, user] = await Promise.all([startStack({ upstreamUrl: mlflowUrl }), startStack({ upstreamUrl: mlflowUrl, env: { GATEWAY_DEFAULT_PERMISSION: 'MANAGE' } })]);
  try {
    await hideFromAlice(user, mlflowUrl);
    const [adminToken, aliceToken] = await Promise.all([admin.idp.getTokens('admin'), user.idp.getTokens('alice')]);
    const [direct, viaAdmin, viaUser] = await Promise.all([
      runDriver({ url: mlflowUrl, prefix: unique('dd') }, { venv }),
      runDriver({ url: admin.gatewayUrl, token: adminToken.access_token, prefix: unique('da') }, { venv }),
      runDriver({ url: user.gatewayUrl, token: aliceToken.access_token, prefix: unique('du') }, { venv }),
    ]);
    const notServed = notServedOps(direct, mlflowVersion);
    return new Map<Mode, VersionedComparison>([
      ['admin', gateByVersion(compare('admin', direct, viaAdmin), notServed, mlflowVersion)],
      ['user', gateByVersion(compare('user', direct, viaUser), notServed, mlflowVersion)],
    ]);
  } finally {
    await Promise.all([admin.stop(), user.stop()]);
  }
}
