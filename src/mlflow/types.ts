// Vocabulary of the MLflow knowledge module: how one MLflow route is authorized and where the
// request names the resources it touches. Pure data; the table is src/mlflow/routes.ts.
import type { Action, ResourceType } from '../policy/types.js';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * The kinds of identifier a request can carry. Each resolves to one protected resource
 * (see ID_KIND_RESOURCE); children resolve to their parent first (a run id to its experiment…).
 */
export const ID_KINDS = [
  'experiment_id',
  'experiment_name',
  'run_id',
  'trace_id',
  'logged_model_id',
  'model_name',
  'artifact_path',
  'endpoint_id',
  'endpoint_name',
  'dataset_id',
  'job_id',
  'workspace_name',
  'issue_id',
  'review_queue_id',
  'label_schema_id',
  'scorer_id',
  'gateway_secret_id',
  'gateway_model_definition_id',
] as const;
export type IdKind = (typeof ID_KINDS)[number];

/**
 * The resource type an id resolves to, and how (documentation for the resolver).
 * `null` means the id names nothing the gateway grants on: only administrators may reference it
 * (fail closed), e.g. gateway secrets and model definitions, which wrap provider credentials.
 */
export const ID_KIND_RESOURCE: Readonly<Record<IdKind, { resource: ResourceType | null; resolve: string }>> = {
  experiment_id: { resource: 'experiment', resolve: 'itself' },
  experiment_name: { resource: 'experiment', resolve: 'GetExperimentByName → experiment_id' },
  run_id: { resource: 'experiment', resolve: 'GetRun → info.experiment_id' },
  trace_id: { resource: 'experiment', resolve: 'GetTraceInfoV3 (trace id or v2 request id) → experiment_id' },
  logged_model_id: { resource: 'experiment', resolve: 'GetLoggedModel → experiment_id' },
  model_name: {
    resource: 'registered_model',
    resolve: 'itself (a registered model tagged mlflow.prompt.is_prompt=true may be treated as a prompt)',
  },
  artifact_path: {
    resource: 'experiment',
    resolve:
      'first path segment when it is all digits (optionally after workspaces/<ws>/); anything else (root, non-numeric) names no experiment → administrators only',
  },
  endpoint_id: { resource: 'gateway_endpoint', resolve: 'itself' },
  endpoint_name: { resource: 'gateway_endpoint', resolve: 'GetGatewayEndpoint(name) → endpoint_id' },
  dataset_id: { resource: 'experiment', resolve: 'GetDatasetExperimentIds → every linked experiment (none → deny)' },
  job_id: {
    resource: 'experiment',
    resolve: 'job store get_job(id).params.experiment_id (no experiment in the params → administrators only)',
  },
  workspace_name: { resource: 'workspace', resolve: 'itself' },
  issue_id: { resource: 'experiment', resolve: 'GetIssue → experiment_id' },
  review_queue_id: { resource: 'experiment', resolve: 'GetReviewQueue → experiment_id' },
  label_schema_id: { resource: 'experiment', resolve: 'GetLabelSchema → experiment_id' },
  scorer_id: { resource: 'experiment', resolve: 'scorer row → experiment_id' },
  gateway_secret_id: { resource: 'gateway_secret', resolve: 'GetGatewaySecretInfo → secret_id, secret_name (MLflow returns secrets masked only)' },
  gateway_model_definition_id: { resource: 'gateway_model_definition', resolve: 'GetGatewayModelDefinition → model_definition_id, name' },
};

/** Where an id lives in the request. */
export type IdSource =
  /** MLflow's own rule (handlers._get_request_message): GET with a non-empty query → query string, anything else → JSON body. */
  | 'auto'
  | 'query'
  | 'body'
  | 'path'
  | 'header';

export interface IdRef {
  readonly kind: IdKind;
  readonly from: IdSource;
  /**
   * Path parameter name, header name, query key, or dotted JSON path for the body. In a JSON path a
   * segment ending in `[]` iterates an array (`locations[].mlflow_experiment.experiment_id`), one
   * ending in `[key=K]` iterates the {key, value} entries with key K, and `{a.b}` is a map key taken
   * verbatim. Every other segment is also looked up in lowerCamelCase, as protobuf's ParseDict accepts
   * both spellings.
   */
  readonly field: string;
  /** Other spellings of the last segment (e.g. run_uuid for run_id). */
  readonly aliases?: readonly string[];
  /** The field is an array of ids (experiment_ids, trace_ids…). */
  readonly many?: boolean;
  /** Absent is fine (the route still names something else, or nothing to check). */
  readonly optional?: boolean;
  /** Value to use when the field is absent or empty (artifact listing: absent path = root). */
  readonly default?: string;
  /** Action for this id when it differs from the requirement's (e.g. read the traces linked to a run being updated). */
  readonly action?: Action;
}

/**
 * A field that names ANOTHER resource than the one the route is about (issue #13 §1): the source a
 * model version is copied from, the run a trace is linked to, an artifact location inside another
 * experiment's tree… Each is checked at `action` when it exists on this server (403 otherwise);
 * one that does not exist here is MLflow's business and passes. Always optional.
 *   kind 'uri'   the value is a URI (models:/, runs:/, mlflow-artifacts:, prompts:/, gateway:/,
 *                paths under the artifact root), read by src/mlflow/reference-uri.ts
 *   kind 'json'  the value is a JSON document (or a string holding one) whose string values are
 *                read as URIs (dataset `source`, serialized scorers)
 */
export interface ReferenceRef {
  readonly kind: IdKind | 'uri' | 'json';
  readonly from: IdSource;
  /** As IdRef.field (dotted JSON path, `[]` iterates an array, both spellings looked up). */
  readonly field: string;
  readonly aliases?: readonly string[];
  readonly many?: boolean;
  /** read where data is copied or linked from; update where something is attached to the referenced object. */
  readonly action: Action;
  /** Why this level. */
  readonly note?: string;
  /**
   * MLflow refuses, for everyone and before any store call, a value of this field that is a
   * non-local URI with a `..` path segment (model-version sources:
   * _validate_non_local_source_contains_relative_paths, in every supported version) — unless the
   * request's `tags[]` hold this key (the prompt code path, whose source 3.0 does not validate).
   * Such a value is not checked as a reference: MLflow's own refusal reaches the client.
   */
  readonly relativePathsRefusedUnlessTag?: string;
}

export type FilterKind =
  | 'search_experiments'
  | 'search_registered_models'
  | 'search_model_versions'
  | 'search_logged_models'
  | 'search_runs'
  | 'search_traces'
  | 'list_scorers'
  | 'list_gateway_endpoints'
  | 'list_gateway_models'
  | 'list_workspaces'
  | 'search_issues'
  | 'search_datasets'
  | 'list_endpoint_bindings'
  | 'secrets_config'
  | 'list_gateway_secrets'
  | 'list_gateway_model_definitions'
  | 'get_budget_policy'
  | 'list_budget_policies'
  | 'list_budget_windows'
  | 'graphql';

/** A requirement that does not depend on an operator feature switch. */
export type BaseRequirement =
  /** No identity needed (health, static assets). */
  | { readonly kind: 'public' }
  /** Any signed-in identity (UI shell, server-info, version, static capability lists). */
  | { readonly kind: 'authenticated' }
  /** Administrators only (webhooks, workspace admin, gateway secrets/budgets, anything not safely authorizable). */
  | { readonly kind: 'admin' }
  /**
   * Top-level creation; the creator gets MANAGE afterwards. `ids`: what the new object is built
   * from must be usable too (an endpoint's model definitions, a model definition's secret).
   */
  | { readonly kind: 'create'; readonly resource: ResourceType; readonly ids?: readonly IdRef[] }
  /** `action` on every id (children resolve to their parent). At least one id must be present. */
  | { readonly kind: 'resource'; readonly resource: ResourceType; readonly action: Action; readonly ids: readonly IdRef[] }
  /** Search/list: the request is narrowed or the response filtered; listed ids (if any) must be readable. */
  | { readonly kind: 'filtered'; readonly resource: ResourceType; readonly filter: FilterKind; readonly ids?: readonly IdRef[] };

export type Requirement =
  | BaseRequirement
  /**
   * Refused for everyone unless the operator enables `feature`; once enabled, `ifEnabled` applies.
   * (assistant = server-side code execution, demo data, legacy gateway proxy.)
   */
  | { readonly kind: 'blocked'; readonly feature: BlockedFeature; readonly ifEnabled: BaseRequirement };

export type BlockedFeature = 'assistant' | 'demo' | 'gateway-proxy';

/** Which part of the MLflow server answers the route (FastAPI routes are matched first, in registration order). */
export type RouteServer = 'flask' | 'fastapi';

export interface RouteSpec {
  readonly method: HttpMethod;
  /**
   * Template relative to the server root (no static prefix), e.g. '/api/2.0/mlflow/experiments/get'.
   * `{name}` matches within one segment (may have a literal prefix/suffix in the segment, e.g.
   * `{endpoint_name}:generateContent`), `{name:path}` one or more whole segments.
   */
  readonly path: string;
  /** MLflow handler or RPC name, for documentation and audit logs. */
  readonly rpc?: string;
  readonly requirement: Requirement;
  /** true → an unauthenticated request gets 401 JSON; false → a browser is redirected to sign in. */
  readonly apiLike: boolean;
  readonly server: RouteServer;
  /** Why the route is authorized this way, when it is a judgement call. */
  readonly note?: string;
  /** Fields naming other resources than the requirement's (see ReferenceRef). */
  readonly references?: readonly ReferenceRef[];
  /**
   * Body fields a hand-written MLflow handler asserts, in order, before its first store call
   * (`if not arg: raise INVALID_PARAMETER_VALUE`). A request lacking one (absent, null, "", 0,
   * [], {}) is refused by MLflow without touching any object, so it is forwarded for MLflow's own
   * message even when it names an object that does not exist (src/pipeline/resource-check.ts).
   */
  readonly requires?: readonly string[];
  /**
   * The MLflow releases that serve this route (src/mlflow/route-versions.ts, generated from every
   * tested version's server by scripts/mlflow-route-versions.ts): first and last minor series,
   * inclusive; absent = every supported version. Lookups use the detected version (src/compat).
   */
  readonly since?: string;
  readonly until?: string;
  /** On MLflow 3 servers before this release the route is answered by Flask, not FastAPI. */
  readonly fastapiSince?: string;
}
