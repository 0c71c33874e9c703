import { randomUUID } from 'node:crypto';
import type { SearchParams } from '../../mlflow/filtered-search.js';
import { mlflowCall } from '../../mlflow/resolver.js';
import type { FilterRequest } from './request.js';
import { relayUpstreamFailure } from './send.js';

/** A search API MLflow validates itself: where to ask, and how its filter grammar names an object. */
export interface ProbeTarget {
  /** MLflow's path of the search (the stock API, not the gateway's). */
  readonly path: string;
  /** How the client's parameters travel to MLflow: GET query (registry) or POST body (experiments). */
  readonly method: 'GET' | 'POST';
  /** A filter in this API's grammar that matches nothing. */
  readonly filter: (tag: string) => string;
  /** Parameters replaced in the probe (runs: no experiment is searched). */
  readonly replace?: Readonly<Record<string, unknown>>;
}

const byName = (tag: string) => `name = '${tag}'`;

export const PROBES = {
  experiments: { path: '/api/2.0/mlflow/experiments/search', method: 'POST', filter: byName },
  registeredModels: { path: '/api/2.0/mlflow/registered-models/search', method: 'GET', filter: byName },
  modelVersions: { path: '/api/2.0/mlflow/model-versions/search', method: 'GET', filter: byName },
  runs: { path: '/api/2.0/mlflow/runs/search', method: 'POST', filter: (tag) => `attributes.run_name = '${tag}'`, replace: { experiment_ids: [] } },
} as const satisfies Record<string, ProbeTarget>;

/**
 * MLflow's own answer to search parameters the gateway finds invalid (max_results out of range or
 * not a number), so the client sees MLflow's message and code rather than the gateway's rendering
 * of them: the same parameters are sent to MLflow with a filter that matches nothing (a name no
 * object has, `name = 'gateway-validation-probe-<uuid>'` or the runs grammar's run_name) and
 * without the page token (runs: and without experiments). Only an error answer is relayed — nothing MLflow
 * lists can reach the client, and the probe names nothing the caller sent but its parameters;
 * undefined when MLflow accepts them (the caller then gets the gateway's own message).
 */
export async function relayMlflowValidation(fr: FilterRequest, p: SearchParams, target: ProbeTarget): Promise<true | undefined> {
  const probe: Record<string, unknown> = {};
  if (p instanceof URLSearchParams) {
    for (const k of new Set(p.keys())) {
      const all = p.getAll(k);
      probe[k] = all.length > 1 ? all : all[0];
    }
  } else Object.assign(probe, p);
  for (const k of ['filter', 'page_token', 'pageToken']) delete probe[k];
  probe.filter = target.filter(`gateway-validation-probe-${randomUUID()}`);
  Object.assign(probe, target.replace);
  const r = target.method === 'POST'
    ? await mlflowCall(fr.gw.config.upstreamUrl, target.path, { method: 'POST', body: probe, ...fr.upstreamCall })
    : await mlflowCall(fr.gw.config.upstreamUrl, target.path, { method: 'GET', query: asQuery(probe), ...fr.upstreamCall });
  return r.kind === 'http_error' && r.status === 400 ? relayUpstreamFailure(fr, r) : undefined;
}

/** A GET's parameters as query values (a JSON body's numbers and lists as MLflow's client sends them). */
function asQuery(probe: Record<string, unknown>): Record<string, string | string[]> {
  const q: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(probe)) {
    if (v === undefined || v === null) continue;
    q[k] = Array.isArray(v) ? v.map(String) : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return q;
}
