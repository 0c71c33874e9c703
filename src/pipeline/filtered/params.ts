import { param, stringParam, type SearchParams } from '../../mlflow/filtered-search.js';

export interface MaxResultsRule {
  /** MLflow's default when the client sends none; undefined = MLflow requires one (SearchExperiments: proto default 0 is refused). */
  readonly default?: number;
  /** MLflow's upper bound for this API. */
  readonly max: number;
}

/** Bounds per API in MLflow 3.17.2 (proto defaults, handler and store thresholds). */
export const MAX_RESULTS = {
  experiments: { max: 50_000 },
  registeredModels: { default: 100, max: 1_000 },
  modelVersions: { default: 200_000, max: 200_000 },
  runs: { default: 1_000, max: 50_000 },
  // SearchTraces / SearchTracesV3: proto default 100, handler bound 500.
  traces: { default: 100, max: 500 },
  // SearchLoggedModels: the store's default 100; MLflow sets no upper bound (the gateway pages its
  // upstream calls at MAX_BATCH.loggedModels, so a big page is several upstream calls).
  loggedModels: { default: 100, max: Number.MAX_SAFE_INTEGER },
} as const satisfies Record<string, MaxResultsRule>;

/**
 * The client's max_results, validated the way MLflow validates it (an integer, JSON number or
 * digit string, between 1 and the API's maximum), or the message of MLflow's INVALID_PARAMETER_VALUE.
 * The gateway validates it itself because the upstream calls carry the gateway's batch size instead.
 */
export function maxResultsParam(p: SearchParams, rule: MaxResultsRule): { ok: true; value: number } | { ok: false; message: string } {
  let raw = param(p, 'max_results');
  if (Array.isArray(raw)) raw = raw[0];
  let n: number;
  if (raw === undefined || raw === null || raw === '') {
    if (rule.default === undefined) return { ok: false, message: "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer" };
    n = rule.default;
  } else if (typeof raw === 'number' && Number.isSafeInteger(raw)) n = raw;
  else if (typeof raw === 'string' && /^[+-]?\d{1,16}$/.test(raw.trim())) n = Number(raw.trim());
  else return { ok: false, message: `Invalid value ${JSON.stringify(raw)} for parameter 'max_results' supplied` };
  if (n < 1) return { ok: false, message: `Invalid value ${n} for parameter 'max_results' supplied. It must be a positive integer` };
  if (n > rule.max) return { ok: false, message: `Invalid value ${n} for parameter 'max_results' supplied. It must be at most ${rule.max}` };
  return { ok: true, value: n };
}

/** The client's page_token (empty = none, as in protobuf). */
export function pageTokenParam(p: SearchParams): string | undefined {
  const t = stringParam(p, 'page_token');
  return t === undefined || t === '' ? undefined : t;
}
