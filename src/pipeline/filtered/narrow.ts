import { GatewayError } from '../../errors/index.js';
import { extractIds, lowerCamel, type IdRef, type RouteSpec } from '../../mlflow/index.js';
import { readableExperimentIds } from './readable.js';
import type { FilterRequest } from './request.js';

/**
 * The experiment ids a request names at `ref`, read exactly as the authorize step reads ids
 * (src/mlflow/ids.ts: every spelling MLflow's parser accepts, ambiguity refused).
 */
export function requestedExperimentIds(fr: FilterRequest, ref: IdRef, body: Record<string, unknown> | undefined): string[] {
  const route = fr.ctx.route as RouteSpec;
  // A copy of the route whose only id is `ref`: extractIds then reads just that field.
  const probe: RouteSpec = { ...route, requirement: { kind: 'filtered', resource: 'experiment', filter: 'search_runs', ids: [{ ...ref, optional: true }] } };
  const r = extractIds(probe, { method: fr.method, query: fr.query, body, params: fr.ctx.params ?? {}, headers: fr.req.headers });
  if (!r.ok) throw new GatewayError(r.code, r.message);
  return r.ids.flatMap((x) => [...x.values]);
}

export interface Narrowed {
  /** Anything was requested at all. */
  readonly requested: boolean;
  /** The readable ones, deduplicated, in request order. */
  readonly ids: string[];
  /** Some requested id was dropped. */
  readonly dropped: boolean;
}

/** search_runs-style narrowing: keep the readable experiments, drop the rest (never an error). */
export async function narrowExperiments(fr: FilterRequest, requested: readonly string[]): Promise<Narrowed> {
  const ids = await readableExperimentIds(fr.access, requested);
  return { requested: requested.length > 0, ids, dropped: ids.length !== new Set(requested).size };
}

/** `body` without `field` in any spelling MLflow reads (snake_case, lowerCamelCase). */
export function withoutField(body: Record<string, unknown>, field: string): Record<string, unknown> {
  const out = { ...body };
  delete out[field];
  delete out[lowerCamel(field)];
  return out;
}

/** The query string with `key` replaced by `values` (GET searches read repeated keys). */
export function withQueryValues(query: URLSearchParams, key: string, values: readonly string[]): string {
  const q = new URLSearchParams(query);
  q.delete(key);
  q.delete(lowerCamel(key));
  for (const v of values) q.append(key, v);
  return q.toString();
}
