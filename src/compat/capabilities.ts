// What each MLflow version offers that the gateway relies on, as a function of the version. Pure.
// Every fact here was checked against that version's installed server (scripts/mlflow-venvs.sh,
// test/compat/); docs/mlflow-compatibility.md explains each one for operators.
import { ROUTE_VERSIONS } from '../mlflow/route-versions.js';
import { inRange, version, type MlflowVersion, type VersionRange } from './version.js';

/** The MLflow release the gateway is developed against (mlflow-version.txt; a unit test keeps them equal). */
export const PINNED_MLFLOW = '3.17.2';

/** The releases the compatibility suite runs (scripts/mlflow-pins.txt holds the same list). */
export const TESTED_MLFLOW = ['2.9.2', '2.22.5', '3.0.1', '3.10.1', '3.16.1', '3.17.2'] as const;

/** The range the gateway supports: from the oldest tested release's minor series to the newest's. */
export const SUPPORTED_RANGE: Required<VersionRange> = { since: '2.9', until: '3.17' };

export interface Capabilities {
  /**
   * SearchExperiments accepts `experiment_id IN ('1','2')` in its filter (SearchExperimentsUtils
   * LIST_SUPPORTED_KEYS). Before 3.17 the experiment grammar has no experiment_id attribute at all.
   */
  readonly experimentIdInFilter: boolean;
  /** SearchRegisteredModels / SearchModelVersions accept `name IN ('a','b')`. */
  readonly modelNameInFilter: boolean;
  /**
   * SearchTraces (v2 and v3) accept `trace.request_id IN (…)` (SearchTraceUtils
   * SUPPORT_IN_COMPARISON_ATTRIBUTE_KEYS) and SearchLoggedModels `attributes.model_id IN (…)`
   * (search_logged_model_utils string ops): the child-grant searches ask for exactly the granted
   * traces and logged models. Checked on 3.17.2 only; older versions scan the experiments instead.
   */
  readonly childIdInFilter: boolean;
  /**
   * How a trace id finds its experiment: GET /api/3.0/mlflow/traces/{id} (GetTraceInfoV3, takes v2
   * request ids too; not yet in 3.0.1), GET /api/2.0/mlflow/traces/{request_id}/info (2.x and 3.0
   * tracing), or no trace API (2.9.2).
   */
  readonly traceInfo: 'v3' | 'v2' | 'none';
  /** Logged models (/api/2.0/mlflow/logged-models/*) exist: MLflow 3. */
  readonly loggedModels: boolean;
  /** The server has FastAPI routes in front of Flask (mlflow.server.fastapi_app): MLflow 3. */
  readonly fastapi: boolean;
  /**
   * MLflow's own GraphQL size scan (mlflow/server/graphql/graphql_no_batching.py: depth 10, 1000
   * selections, and the env-configured root-field and alias limits), run before schema validation:
   * 'none' before 3.1.1 (3.1.0 and 2.22.5 have no such file), 'fields' from 3.1.1 (each definition's
   * field nodes only), 'fragments' from 3.17.0 (operations only, fragments merged into their level).
   * Read from every released mlflow-skinny wheel 3.0.1 … 3.17.2; the messages never changed.
   */
  readonly graphqlQueryScan: 'none' | 'fields' | 'fragments';
}

const SINCE_3_0 = { since: '3.0' };
/**
 * MLflow mounts Flask under a FastAPI app (mlflow/server/fastapi_app.py, uvicorn by default) since
 * 3.3 (mlflow/mlflow#17038, Aug 2025); 2.x and 3.0 … 3.2 are Flask-only. Tested: 3.0.1 has no
 * fastapi_app, 3.10.1 has.
 */
export const FASTAPI_SINCE = '3.3';

/** MLflow scans GraphQL queries for size (graphql_no_batching.py) from this release on (3.1.0 does not). */
export const GRAPHQL_SCAN_SINCE = '3.1.1';
/** From this release the scan merges inline fragments and fragment spreads into their level. */
export const GRAPHQL_SCAN_FRAGMENTS_SINCE = '3.17.0';

/** Whether `v` serves a route of the table (route-versions.ts lists the ranged ones; absent = every version). */
function serves(v: MlflowVersion, key: string): boolean {
  const range = ROUTE_VERSIONS[key];
  return range === undefined || inRange(v, range);
}

export function capabilitiesFor(v: MlflowVersion): Capabilities {
  return {
    experimentIdInFilter: inRange(v, { since: '3.17' }),
    modelNameInFilter: inRange(v, { since: '3.17' }),
    childIdInFilter: inRange(v, { since: '3.17' }),
    // From the generated route ranges: the lookup the resolver makes must be a route this version serves.
    traceInfo: serves(v, 'GET /api/3.0/mlflow/traces/{trace_id}') ? 'v3' : serves(v, 'GET /api/2.0/mlflow/traces/{request_id}/info') ? 'v2' : 'none',
    loggedModels: inRange(v, SINCE_3_0),
    fastapi: inRange(v, { since: FASTAPI_SINCE }),
    graphqlQueryScan: inRange(v, { since: GRAPHQL_SCAN_FRAGMENTS_SINCE }) ? 'fragments' : inRange(v, { since: GRAPHQL_SCAN_SINCE }) ? 'fields' : 'none',
  };
}

export const PINNED_CAPABILITIES: Capabilities = capabilitiesFor(version(PINNED_MLFLOW));

export function isSupported(v: MlflowVersion): boolean {
  return inRange(v, SUPPORTED_RANGE);
}
