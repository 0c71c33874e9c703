// The ONE declarative table of every route the MLflow tracking server serves — the pinned version
// (mlflow-version.txt) and every tested older one (docs/mlflow-compatibility.md) — and how the
// gateway authorizes each. Which versions serve an entry is generated into route-versions.ts
// (scripts/mlflow-route-versions.ts); lookups use the detected version's entries (src/compat).
// test/mlflow-route-coverage.test.ts checks it against each installed server in both directions
// (nothing missing, nothing stale).
//
// Sources of truth (MLflow 3.17.2): mlflow/protos/*.proto (RPC paths), mlflow/server/handlers.py
// (hand-written endpoints, how each handler reads its ids), mlflow/server/__init__.py (Flask UI
// routes), mlflow/server/fastapi_app.py + routers (native FastAPI routes) and
// mlflow/server/auth/__init__.py (how MLflow's own basic-auth maps each route).
//
// Conventions: reads → read; writes → update; delete/restore (incl. delete-tag on registry and
// logged-model objects, artifact DELETE) → delete; permission changes → manage; AI-gateway
// invocation → use. Runs, traces, assessments, logged models, artifacts, scorers, datasets,
// issues, review queues, label schemas and jobs resolve to their experiment; model versions and
// aliases to the registered model (prompts are registered models tagged mlflow.prompt.is_prompt,
// served by the same routes). Anything that cannot be authorized safely is admin-only.
import type { Action, ResourceType } from '../policy/types.js';
import type {
  BaseRequirement,
  BlockedFeature,
  FilterKind,
  HttpMethod,
  IdKind,
  IdRef,
  ReferenceRef,
  Requirement,
  RouteServer,
  RouteSpec,
} from './types.js';
import { ROUTE_VERSIONS } from './route-versions.js';

// ---------------------------------------------------------------------------------------------
// Small builders

type IdOpts = Omit<IdRef, 'kind' | 'from' | 'field'>;

/** Id read by MLflow's request parser: query for GET-with-query, JSON body otherwise. */
const auto = (kind: IdKind, field: string, o: IdOpts = {}): IdRef => ({ kind, from: 'auto', field, ...o });
const query = (kind: IdKind, field: string, o: IdOpts = {}): IdRef => ({ kind, from: 'query', field, ...o });
const body = (kind: IdKind, field: string, o: IdOpts = {}): IdRef => ({ kind, from: 'body', field, ...o });
const path = (kind: IdKind, field: string, o: IdOpts = {}): IdRef => ({ kind, from: 'path', field, ...o });
const header = (kind: IdKind, field: string, o: IdOpts = {}): IdRef => ({ kind, from: 'header', field, ...o });

/** run_id with its legacy spelling run_uuid (MLflow uses `run_id or run_uuid`). */
const RUN_ID = auto('run_id', 'run_id', { aliases: ['run_uuid'] });
const EXPERIMENT_ID = auto('experiment_id', 'experiment_id');
const EXPERIMENT_IDS = auto('experiment_id', 'experiment_ids', { many: true });
const MODEL_NAME = auto('model_name', 'name');

type RefOpts = Omit<ReferenceRef, 'kind' | 'from' | 'field' | 'action'>;
/** A referenced field read by MLflow's request parser (query for GET-with-query, JSON body otherwise). */
const ref = (kind: ReferenceRef['kind'], field: string, action: Action, o: RefOpts = {}): ReferenceRef => ({ kind, from: 'auto', field, action, ...o });
const refHeader = (kind: ReferenceRef['kind'], field: string, action: Action, o: RefOpts = {}): ReferenceRef => ({ kind, from: 'header', field, action, ...o });

const PUBLIC: BaseRequirement = { kind: 'public' };
const AUTHENTICATED: BaseRequirement = { kind: 'authenticated' };
const ADMIN: BaseRequirement = { kind: 'admin' };

const res = (resource: ResourceType, action: Action, ...ids: IdRef[]): Requirement => ({ kind: 'resource', resource, action, ids });
const exp = (action: Action, ...ids: IdRef[]): Requirement => res('experiment', action, ...ids);
const model = (action: Action, ...ids: IdRef[]): Requirement => res('registered_model', action, ...ids);
const endpoint = (action: Action, ...ids: IdRef[]): Requirement => res('gateway_endpoint', action, ...ids);
const filtered = (resource: ResourceType, filter: FilterKind, ...ids: IdRef[]): Requirement =>
  ids.length > 0 ? { kind: 'filtered', resource, filter, ids } : { kind: 'filtered', resource, filter };
const create = (resource: ResourceType, ...ids: IdRef[]): Requirement => (ids.length > 0 ? { kind: 'create', resource, ids } : { kind: 'create', resource });
const blocked = (feature: BlockedFeature, ifEnabled: BaseRequirement): Requirement => ({ kind: 'blocked', feature, ifEnabled });

interface Extra {
  readonly rpc?: string;
  readonly note?: string;
  /** The references column: fields naming other resources than the requirement's. */
  readonly refs?: readonly ReferenceRef[];
  readonly apiLike?: boolean;
  readonly server?: RouteServer;
  /** RouteSpec.requires: body fields the handler asserts before its first store call. */
  readonly requires?: readonly string[];
}

function route(method: HttpMethod, fullPath: string, requirement: Requirement, x: Extra = {}): RouteSpec {
  return {
    method,
    path: fullPath,
    requirement,
    apiLike: x.apiLike ?? true,
    server: x.server ?? 'flask',
    ...(x.rpc !== undefined ? { rpc: x.rpc } : {}),
    ...(x.note !== undefined ? { note: x.note } : {}),
    ...(x.refs !== undefined && x.refs.length > 0 ? { references: x.refs } : {}),
    ...(x.requires !== undefined ? { requires: x.requires } : {}),
  };
}

type Version = '2.0' | '3.0';

/** An MLflow RPC served at both `/api/<v>/mlflow/<rest>` and `/ajax-api/<v>/mlflow/<rest>` (handlers._get_paths). */
function both(method: HttpMethod, v: Version, rest: string, requirement: Requirement, x: Extra = {}): RouteSpec[] {
  return [route(method, `/api/${v}/mlflow/${rest}`, requirement, x), route(method, `/ajax-api/${v}/mlflow/${rest}`, requirement, x)];
}
/** Same, for a path not under `/mlflow/` (the artifact service: `/api/2.0/mlflow-artifacts/…`). */
function bothRoot(method: HttpMethod, v: Version, rest: string, requirement: Requirement, x: Extra = {}): RouteSpec[] {
  return [route(method, `/api/${v}/${rest}`, requirement, x), route(method, `/ajax-api/${v}/${rest}`, requirement, x)];
}
/** A route MLflow serves only under `/ajax-api/<v>/mlflow/` (UI-only, no `/api` twin). */
function ajax(method: HttpMethod, v: Version, rest: string, requirement: Requirement, x: Extra = {}): RouteSpec {
  return route(method, `/ajax-api/${v}/mlflow/${rest}`, requirement, x);
}

const NOT_IMPLEMENTED = 'MLflow registers this path with handlers._not_implemented (always 404); nobody needs it, so administrators only.';

// ---------------------------------------------------------------------------------------------
// Flask: MlflowService (service.proto), tracking

const experiments: RouteSpec[] = [
  ...both('GET', '2.0', 'experiments/get-by-name', exp('read', auto('experiment_name', 'experiment_name')), { rpc: 'GetExperimentByName' }),
  ...both('POST', '2.0', 'experiments/create', create('experiment'), {
    rpc: 'CreateExperiment',
    refs: [ref('uri', 'artifact_location', 'update', { note: "an artifact location inside another experiment's artifact tree writes into (and lists) that tree" })],
  }),
  ...both('GET', '2.0', 'experiments/search', filtered('experiment', 'search_experiments'), { rpc: 'SearchExperiments' }),
  ...both('POST', '2.0', 'experiments/search', filtered('experiment', 'search_experiments'), { rpc: 'SearchExperiments' }),
  ...both('GET', '2.0', 'experiments/get', exp('read', EXPERIMENT_ID), { rpc: 'GetExperiment' }),
  ...both('POST', '2.0', 'experiments/delete', exp('delete', EXPERIMENT_ID), { rpc: 'DeleteExperiment' }),
  ...both('POST', '2.0', 'experiments/restore', exp('delete', EXPERIMENT_ID), { rpc: 'RestoreExperiment' }),
  ...both('POST', '2.0', 'experiments/update', exp('update', EXPERIMENT_ID), { rpc: 'UpdateExperiment' }),
  ...both('POST', '2.0', 'experiments/set-experiment-tag', exp('update', EXPERIMENT_ID), { rpc: 'SetExperimentTag' }),
  ...both('POST', '2.0', 'experiments/delete-experiment-tag', exp('update', EXPERIMENT_ID), { rpc: 'DeleteExperimentTag' }),
  // SearchDatasets: the proto path lacks its leading '/', so the RPC is registered at the broken
  // paths below (not implemented); the UI uses the hand-written ajax route.
  ajax('POST', '2.0', 'experiments/search-datasets', exp('read', EXPERIMENT_IDS), { rpc: 'SearchDatasets (serve_search_datasets)' }),
  route('POST', '/api/2.0mlflow/experiments/search-datasets', ADMIN, { rpc: 'SearchDatasets', note: NOT_IMPLEMENTED }),
  route('POST', '/ajax-api/2.0mlflow/experiments/search-datasets', ADMIN, { rpc: 'SearchDatasets', note: NOT_IMPLEMENTED }),
];

const runs: RouteSpec[] = [
  ...both('POST', '2.0', 'runs/create', exp('update', EXPERIMENT_ID), { rpc: 'CreateRun' }),
  ...both('POST', '2.0', 'runs/update', exp('update', RUN_ID), { rpc: 'UpdateRun' }),
  ...both('POST', '2.0', 'runs/delete', exp('delete', RUN_ID), { rpc: 'DeleteRun' }),
  ...both('POST', '2.0', 'runs/restore', exp('delete', RUN_ID), { rpc: 'RestoreRun' }),
  ...both(
    'POST',
    '2.0',
    'runs/log-metric',
    exp('update', RUN_ID),
    {
      rpc: 'LogMetric',
      note: 'model_id (optional) also writes the metric to that logged model: update on its experiment too.',
      refs: [ref('logged_model_id', 'model_id', 'update')],
    },
  ),
  ...both('POST', '2.0', 'runs/log-parameter', exp('update', RUN_ID), { rpc: 'LogParam' }),
  ...both('POST', '2.0', 'runs/set-tag', exp('update', RUN_ID), { rpc: 'SetTag' }),
  ...both('POST', '2.0', 'runs/delete-tag', exp('update', RUN_ID), { rpc: 'DeleteTag' }),
  ...both('GET', '2.0', 'runs/get', exp('read', RUN_ID), { rpc: 'GetRun' }),
  ...both('POST', '2.0', 'runs/search', filtered('experiment', 'search_runs', { ...EXPERIMENT_IDS, optional: true }), { rpc: 'SearchRuns' }),
  ...both('GET', '2.0', 'artifacts/list', exp('read', RUN_ID), { rpc: 'ListArtifacts' }),
  ...both(
    'POST',
    '2.0',
    'artifacts/presigned-upload-url',
    exp('update', auto('run_id', 'run_id', { optional: true }), auto('logged_model_id', 'model_id', { optional: true })),
    { rpc: 'CreatePresignedUploadUrl', note: 'Exactly one of run_id / model_id; whichever is present must be writable.' },
  ),
  ...both('POST', '2.0', 'artifacts/presigned-download-url', exp('read', auto('run_id', 'run_id')), { rpc: 'CreatePresignedDownloadUrl' }),
  ...both('GET', '2.0', 'metrics/get-history', exp('read', RUN_ID), { rpc: 'GetMetricHistory' }),
  ...both('GET', '2.0', 'metrics/get-history-bulk-interval', exp('read', auto('run_id', 'run_ids', { many: true })), {
    rpc: 'GetMetricHistoryBulkInterval',
  }),
  ...both(
    'POST',
    '2.0',
    'runs/log-batch',
    exp('update', RUN_ID),
    {
      rpc: 'LogBatch',
      note: 'Per-metric model_id writes to logged models: update on each of their experiments too.',
      refs: [ref('logged_model_id', 'metrics[].model_id', 'update')],
    },
  ),
  ...both('POST', '2.0', 'runs/log-model', exp('update', RUN_ID), { rpc: 'LogModel' }),
  ...both('POST', '2.0', 'runs/log-inputs', exp('update', RUN_ID), {
    rpc: 'LogInputs',
    refs: [
      ref('logged_model_id', 'models[].model_id', 'update', { note: 'the run is recorded on the logged model (its inputs view): attached, as before this column' }),
      ref('json', 'datasets[].dataset.source', 'read', { note: 'a dataset source (JSON) may point at runs:/, models:/ or artifacts of this server: read' }),
    ],
  }),
  ...both('POST', '2.0', 'runs/outputs', exp('update', RUN_ID), {
    rpc: 'LogOutputs',
    refs: [ref('logged_model_id', 'models[].model_id', 'update', { note: 'the run is recorded as the producer of the logged model: attached' })],
  }),
  // Hand-written Flask routes (mlflow/server/__init__.py): they read request.args / request.json directly.
  ajax('GET', '2.0', 'metrics/get-history-bulk', exp('read', query('run_id', 'run_id', { many: true })), {
    rpc: 'serve_get_metric_history_bulk',
  }),
  ajax('POST', '2.0', 'runs/create-promptlab-run', exp('update', body('experiment_id', 'experiment_id')), {
    rpc: 'serve_create_promptlab_run',
    note: 'Creates a run in the experiment (MLflow: same shape as CreateRun).',
    // handlers.create_promptlab_run_handler: assert_arg_exists on each, before create_run.
    requires: ['experiment_id', 'prompt_template', 'prompt_parameters', 'model_route', 'model_input', 'mlflow_version'],
  }),
  ajax('POST', '2.0', 'upload-artifact', exp('update', query('run_id', 'run_uuid', { aliases: ['run_id'] })), {
    rpc: 'serve_upload_artifact',
    note: 'POST with the run in the query string (run_uuid), not the body.',
  }),
  route('GET', '/get-artifact', exp('read', query('run_id', 'run_id', { aliases: ['run_uuid'] })), { rpc: 'serve_artifacts' }),
];

/** v2 trace request metadata `mlflow.sourceRun` links the trace to that run. */
const SOURCE_RUN_V2 = ref('run_id', 'request_metadata[key=mlflow.sourceRun].value', 'update', { note: 'links the trace to the run, like traces/link-to-run' });
const traces: RouteSpec[] = [
  // v2 (deprecated) trace API: request_id is the trace id.
  ...both('POST', '2.0', 'traces', exp('update', EXPERIMENT_ID), { rpc: 'StartTrace', refs: [SOURCE_RUN_V2] }),
  ...both('PATCH', '2.0', 'traces/{request_id}', exp('update', path('trace_id', 'request_id')), { rpc: 'EndTrace', refs: [SOURCE_RUN_V2] }),
  ...both('GET', '2.0', 'traces/{request_id}/info', exp('read', path('trace_id', 'request_id')), { rpc: 'GetTraceInfo' }),
  ...both('GET', '2.0', 'traces', filtered('experiment', 'search_traces', { ...EXPERIMENT_IDS, optional: true }), {
    rpc: 'SearchTraces',
    note: 'experiment_ids is narrowed to the readable experiments (as search_runs), not refused.',
  }),
  ...both('POST', '2.0', 'traces/delete-traces', exp('delete', EXPERIMENT_ID), {
    rpc: 'DeleteTraces',
    note: 'The store deletes only traces of the named experiment.',
  }),
  ...both('PATCH', '2.0', 'traces/{request_id}/tags', exp('update', path('trace_id', 'request_id')), { rpc: 'SetTraceTag' }),
  ...both('DELETE', '2.0', 'traces/{request_id}/tags', exp('update', path('trace_id', 'request_id')), { rpc: 'DeleteTraceTag' }),
  ...both(
    'POST',
    '2.0',
    'traces/link-to-run',
    exp('update', auto('run_id', 'run_id')),
    { rpc: 'LinkTracesToRun', note: 'update on the run, read on every linked trace.', refs: [ref('trace_id', 'trace_ids', 'read', { many: true })] },
  ),
  ...both('POST', '2.0', 'traces/link-prompts', exp('update', auto('trace_id', 'trace_id')), {
    rpc: 'LinkPromptsToTrace',
    refs: [ref('model_name', 'prompt_versions[].name', 'read', { note: 'the prompts linked to the trace must be readable' })],
  }),
  ...both('GET', '2.0', 'unified-traces', ADMIN, { rpc: 'SearchUnifiedTraces', note: NOT_IMPLEMENTED }),
  ...both('GET', '2.0', 'get-online-trace-details', ADMIN, { rpc: 'GetOnlineTraceDetails', note: NOT_IMPLEMENTED }),
  ajax('GET', '2.0', 'get-trace-artifact', exp('read', query('trace_id', 'request_id')), { rpc: 'serve_get_trace_artifact' }),
  ajax('GET', '3.0', 'get-trace-artifact', exp('read', query('trace_id', 'request_id')), {
    rpc: 'serve_get_trace_artifact',
    note: 'The v3 twin was an authorization bypass in MLflow basic-auth (GHSA-qqq6-8wgv-xjqg).',
  }),
  // v3
  ...both('POST', '3.0', 'traces', exp('update', auto('experiment_id', 'trace.trace_info.trace_location.mlflow_experiment.experiment_id')), {
    rpc: 'StartTraceV3',
    refs: [
      ref('trace_id', 'trace.trace_info.trace_id', 'update', { note: 'an existing trace id (of any experiment) gets the tags, metadata and assessments merged into it (SqlAlchemyStore.start_trace on IntegrityError)' }),
      ref('run_id', 'trace.trace_info.trace_metadata.{mlflow.sourceRun}', 'update', { note: "links the trace to the run (searches by run id match it), like traces/link-to-run" }),
    ],
  }),
  ...both('GET', '3.0', 'traces/{trace_id}', exp('read', path('trace_id', 'trace_id')), { rpc: 'GetTraceInfoV3' }),
  ...both('GET', '3.0', 'traces/get', exp('read', auto('trace_id', 'trace_id')), { rpc: 'GetTrace' }),
  ...both(
    'GET',
    '3.0',
    'traces/batchGet',
    exp('read', auto('trace_id', 'trace_ids', { many: true }), { ...EXPERIMENT_IDS, optional: true }),
    { rpc: 'BatchGetTraces' },
  ),
  ...both(
    'POST',
    '3.0',
    'traces/batchGetInfos',
    exp('read', auto('trace_id', 'trace_ids', { many: true }), { ...EXPERIMENT_IDS, optional: true }),
    { rpc: 'BatchGetTraceInfos' },
  ),
  ...both('POST', '3.0', 'traces/search', filtered('experiment', 'search_traces', auto('experiment_id', 'locations[].mlflow_experiment.experiment_id', { optional: true })), {
    rpc: 'SearchTracesV3',
    note: 'Only mlflow_experiment locations name an experiment (MLflow ignores the others): they are narrowed to the readable ones and every other location is dropped; nothing readable → an empty answer.',
  }),
  ...both('POST', '3.0', 'traces/delete-traces', exp('delete', EXPERIMENT_ID), { rpc: 'DeleteTracesV3' }),
  ...both('PATCH', '3.0', 'traces/{trace_id}/tags', exp('update', path('trace_id', 'trace_id')), { rpc: 'SetTraceTagV3' }),
  ...both('DELETE', '3.0', 'traces/{trace_id}/tags', exp('update', path('trace_id', 'trace_id')), { rpc: 'DeleteTraceTagV3' }),
  ...both('POST', '3.0', 'traces/calculate-filter-correlation', exp('read', EXPERIMENT_IDS), { rpc: 'CalculateTraceFilterCorrelation' }),
  ...both('POST', '3.0', 'traces/metrics', exp('read', EXPERIMENT_IDS), { rpc: 'QueryTraceMetrics' }),
  // Assessments: the handler takes the trace from the path (the body's assessment.trace_id is overwritten).
  ...both('POST', '3.0', 'traces/{trace_id}/assessments', exp('update', path('trace_id', 'trace_id')), { rpc: 'CreateAssessment' }),
  ...both('GET', '3.0', 'traces/{trace_id}/assessments/{assessment_id}', exp('read', path('trace_id', 'trace_id')), {
    rpc: 'GetAssessmentRequest',
  }),
  ...both('PATCH', '3.0', 'traces/{trace_id}/assessments/{assessment_id}', exp('update', path('trace_id', 'trace_id')), {
    rpc: 'UpdateAssessment',
  }),
  ...both('DELETE', '3.0', 'traces/{trace_id}/assessments/{assessment_id}', exp('delete', path('trace_id', 'trace_id')), {
    rpc: 'DeleteAssessment',
  }),
];

const workspaces: RouteSpec[] = [
  ...both('GET', '3.0', 'workspaces', filtered('workspace', 'list_workspaces'), { rpc: 'ListWorkspaces' }),
  ...both('POST', '3.0', 'workspaces', ADMIN, { rpc: 'CreateWorkspace' }),
  ...both('GET', '3.0', 'workspaces/{workspace_name}', res('workspace', 'read', path('workspace_name', 'workspace_name')), {
    rpc: 'GetWorkspace',
  }),
  ...both('PATCH', '3.0', 'workspaces/{workspace_name}', ADMIN, { rpc: 'UpdateWorkspace' }),
  ...both('DELETE', '3.0', 'workspaces/{workspace_name}', ADMIN, { rpc: 'DeleteWorkspace' }),
];

const LOGGED_MODEL = path('logged_model_id', 'model_id');
const loggedModels: RouteSpec[] = [
  ...both(
    'POST',
    '2.0',
    'logged-models',
    exp('update', EXPERIMENT_ID),
    { rpc: 'CreateLoggedModel', note: 'update on the experiment, read on source_run_id when given.', refs: [ref('run_id', 'source_run_id', 'read')] },
  ),
  ...both('PATCH', '2.0', 'logged-models/{model_id}', exp('update', LOGGED_MODEL, auto('logged_model_id', 'model_id')), {
    rpc: 'FinalizeLoggedModel',
    note: 'The handler finalizes the model named in the BODY (model_id, required), not the path: both are checked.',
  }),
  ...both('GET', '2.0', 'logged-models/{model_id}', exp('read', LOGGED_MODEL), { rpc: 'GetLoggedModel' }),
  ...both('DELETE', '2.0', 'logged-models/{model_id}', exp('delete', LOGGED_MODEL), { rpc: 'DeleteLoggedModel' }),
  ...both('POST', '2.0', 'logged-models/search', filtered('experiment', 'search_logged_models', { ...EXPERIMENT_IDS, optional: true }), {
    rpc: 'SearchLoggedModels',
  }),
  ...both('PATCH', '2.0', 'logged-models/{model_id}/tags', exp('update', LOGGED_MODEL), { rpc: 'SetLoggedModelTags' }),
  ...both('DELETE', '2.0', 'logged-models/{model_id}/tags/{tag_key}', exp('delete', LOGGED_MODEL), { rpc: 'DeleteLoggedModelTag' }),
  ...both('GET', '2.0', 'logged-models/{model_id}/artifacts/directories', exp('read', LOGGED_MODEL), { rpc: 'ListLoggedModelArtifacts' }),
  ...both('POST', '2.0', 'logged-models/{model_id}/params', exp('update', LOGGED_MODEL), { rpc: 'LogLoggedModelParamsRequest' }),
  ajax('GET', '2.0', 'logged-models/{model_id}/artifacts/files', exp('read', LOGGED_MODEL), {
    rpc: 'serve_get_logged_model_artifact',
    note: 'Was an authorization bypass in MLflow basic-auth (GHSA-46r5-x6jq-v8g6).',
  }),
];

const ISSUE = path('issue_id', 'issue_id');
const issues: RouteSpec[] = [
  ...both('POST', '3.0', 'issues', exp('update', EXPERIMENT_ID), {
    rpc: 'CreateIssue',
    refs: [ref('run_id', 'source_run_id', 'read', { note: 'the run the issue was found in is linked from the issue' })],
  }),
  ...both('PATCH', '3.0', 'issues/{issue_id}', exp('update', ISSUE), { rpc: 'UpdateIssue' }),
  ...both('GET', '3.0', 'issues/{issue_id}', exp('read', ISSUE), { rpc: 'GetIssue' }),
  ...both('POST', '3.0', 'issues/search', filtered('experiment', 'search_issues', { ...EXPERIMENT_ID, optional: true }), {
    rpc: 'SearchIssues',
    note: 'experiment_id is optional to MLflow (then every issue of the server): a named one must be readable; without one the answer is filtered.',
  }),
  ajax(
    'POST',
    '3.0',
    'issues/invoke',
    exp(
      'update',
      EXPERIMENT_ID,
      auto('endpoint_name', 'endpoint_name', { optional: true, action: 'use' }),
      auto('gateway_secret_id', 'secret_id', { optional: true, action: 'use' }),
    ),
    {
      rpc: '_invoke_issue_detection_handler',
      note: 'Creates a run and a server-side job that calls an LLM: update on the experiment, use on endpoint_name and on a raw secret_id.',
      refs: [
        ref('trace_id', 'trace_ids', 'read', { many: true, note: 'the job sends these traces to the LLM' }),
        ref('uri', 'model', 'read', { note: 'a `gateway:/<endpoint>` model is invoked by the job: use on it' }),
      ],
    },
  ),
];

const SCHEMA = auto('label_schema_id', 'schema_id');
const labelSchemas: RouteSpec[] = [
  ...both('POST', '3.0', 'label-schemas/create', exp('manage', EXPERIMENT_ID), {
    rpc: 'CreateLabelSchema',
    note: 'MLflow requires MANAGE on the experiment to define review questions.',
  }),
  ...both('GET', '3.0', 'label-schemas/get', exp('read', SCHEMA), { rpc: 'GetLabelSchema' }),
  ...both('GET', '3.0', 'label-schemas/get-by-name', exp('read', EXPERIMENT_ID), { rpc: 'GetLabelSchemaByName' }),
  ...both('GET', '3.0', 'label-schemas/list', exp('read', EXPERIMENT_ID), { rpc: 'ListLabelSchemas' }),
  ...both('PATCH', '3.0', 'label-schemas/update', exp('manage', SCHEMA), { rpc: 'UpdateLabelSchema' }),
  ...both('DELETE', '3.0', 'label-schemas/delete', exp('delete', SCHEMA), { rpc: 'DeleteLabelSchema' }),
];

const DATASET = path('dataset_id', 'dataset_id');
const datasets: RouteSpec[] = [
  ...both('POST', '3.0', 'datasets/create', exp('update', EXPERIMENT_IDS), {
    rpc: 'CreateDataset',
    refs: [ref('json', 'source', 'read', { note: 'a dataset source (JSON or a URI) linking runs:/, models:/ or artifacts of this server' })],
  }),
  ...both('GET', '3.0', 'datasets/{dataset_id}', exp('read', DATASET), { rpc: 'GetDataset' }),
  ...both('DELETE', '3.0', 'datasets/{dataset_id}', exp('delete', DATASET), { rpc: 'DeleteDataset' }),
  ...both('POST', '3.0', 'datasets/search', filtered('experiment', 'search_datasets', { ...EXPERIMENT_IDS, optional: true }), {
    rpc: 'SearchEvaluationDatasets',
    note: 'experiment_ids is optional to MLflow (then every dataset): named ones are narrowed to the readable ones; without any the answer keeps datasets whose experiments are all readable.',
  }),
  ...both('GET', '3.0', 'datasets/search', filtered('experiment', 'search_datasets', { ...EXPERIMENT_IDS, optional: true }), { rpc: 'SearchEvaluationDatasets' }),
  ...both('PATCH', '3.0', 'datasets/{dataset_id}/tags', exp('update', DATASET), { rpc: 'SetDatasetTags' }),
  ...both('DELETE', '3.0', 'datasets/{dataset_id}/tags/{key}', exp('update', DATASET), { rpc: 'DeleteDatasetTag' }),
  ...both('POST', '3.0', 'datasets/{dataset_id}/records', exp('update', DATASET), { rpc: 'UpsertDatasetRecords' }),
  ...both('GET', '3.0', 'datasets/{dataset_id}/records', exp('read', DATASET), { rpc: 'GetDatasetRecords' }),
  ...both('DELETE', '3.0', 'datasets/{dataset_id}/records', exp('update', DATASET), { rpc: 'DeleteDatasetRecords' }),
  ...both('GET', '3.0', 'datasets/{dataset_id}/experiment-ids', exp('read', DATASET), { rpc: 'GetDatasetExperimentIds' }),
  ...both('POST', '3.0', 'datasets/{dataset_id}/add-experiments', exp('update', DATASET, EXPERIMENT_IDS), {
    rpc: 'AddDatasetToExperiments',
    note: 'update on the dataset (its experiments) AND on every experiment being linked.',
  }),
  ...both('POST', '3.0', 'datasets/{dataset_id}/remove-experiments', exp('update', DATASET), { rpc: 'RemoveDatasetFromExperiments' }),
];

const scorers: RouteSpec[] = [
  ...both('POST', '3.0', 'scorers/register', exp('update', EXPERIMENT_ID), {
    rpc: 'RegisterScorer',
    refs: [ref('json', 'serialized_scorer', 'read', { note: 'a judge model `gateway:/<endpoint>` is invoked server-side by online scoring: use on the endpoint; other URIs read' })],
  }),
  ...both(
    'GET',
    '3.0',
    'scorers/list',
    filtered('experiment', 'list_scorers', { ...EXPERIMENT_ID, optional: true }, { ...EXPERIMENT_IDS, optional: true }),
    { rpc: 'ListScorers', note: 'Named experiments must be readable; without one the listing spans experiments and is filtered.' },
  ),
  ...both('GET', '3.0', 'scorers/versions', exp('read', EXPERIMENT_ID), { rpc: 'ListScorerVersions' }),
  ...both('GET', '3.0', 'scorers/get', exp('read', EXPERIMENT_ID), { rpc: 'GetScorer' }),
  ...both('DELETE', '3.0', 'scorers/delete', exp('delete', EXPERIMENT_ID), { rpc: 'DeleteScorer' }),
  ...both('GET', '3.0', 'scorers/online-configs', exp('read', auto('scorer_id', 'scorer_ids', { many: true })), {
    rpc: '_get_online_scoring_configs',
  }),
  ...both('PUT', '3.0', 'scorers/online-config', exp('update', EXPERIMENT_ID), { rpc: '_upsert_online_scoring_config' }),
  ajax('POST', '3.0', 'scorer/invoke', exp('update', body('experiment_id', 'experiment_id'), body('trace_id', 'trace_ids', { many: true, optional: true, action: 'read' })), {
    rpc: '_invoke_scorer_handler',
    note: 'Runs a scorer job over existing traces of the experiment (may log assessments): update on the experiment, read on the traces.',
    refs: [ref('json', 'serialized_scorer', 'read', { note: 'a `gateway:/<endpoint>` judge is invoked by the job: use on it' })],
  }),
  ajax('POST', '3.0', 'genai/evaluate/invoke', exp('update', EXPERIMENT_ID, auto('trace_id', 'trace_ids', { many: true, optional: true, action: 'read' })), {
    rpc: '_invoke_genai_evaluate_handler',
    note: 'Creates an evaluation run and a server-side job in the experiment.',
    refs: [ref('json', 'serialized_scorers[]', 'read', { note: '`gateway:/<endpoint>` judges are invoked by the job: use on them' })],
  }),
];

// AI gateway configuration (v3 /mlflow/gateway/…).
const ENDPOINT_ID = auto('endpoint_id', 'endpoint_id');
const SECRET_ID = auto('gateway_secret_id', 'secret_id');
const MODEL_DEFINITION_ID = auto('gateway_model_definition_id', 'model_definition_id');
// Guardrail CRUD and budget writes are administrators only, as in MLflow's own auth (3.17.2).
// Budget reads, which MLflow opens to any signed-in user, are filtered per policy by its target
// (src/pipeline/filtered/budgets.ts): a USER-scoped policy is seen by that user, an ENDPOINT-scoped
// one by those who may read the endpoint, GLOBAL and WORKSPACE ones by everyone.
const ADMIN_GATEWAY = 'Gateway guardrails and budget writes configure spend and policy for every endpoint: administrators only, as in MLflow\'s own auth.';
const BUDGET_READ = 'Filtered per policy by its target: a USER-scoped policy is seen by that user only, an ENDPOINT-scoped one by those who may read the endpoint, GLOBAL and WORKSPACE ones by every signed-in user; any other scope is hidden (MLflow lets any signed-in user read every policy).';
const gatewayConfig: RouteSpec[] = [
  // Secrets and model definitions are resources like endpoints (READ/USE/EDIT/MANAGE, creator
  // MANAGE, filtered lists). MLflow returns a secret's value masked only, never the credential.
  ...both('POST', '3.0', 'gateway/secrets/create', create('gateway_secret'), { rpc: 'CreateGatewaySecret', note: 'The creator gets MANAGE on the secret.' }),
  ...both('GET', '3.0', 'gateway/secrets/get', res('gateway_secret', 'read', SECRET_ID), { rpc: 'GetGatewaySecretInfo', note: 'The answer carries the value masked.' }),
  ...both('POST', '3.0', 'gateway/secrets/update', res('gateway_secret', 'update', SECRET_ID), { rpc: 'UpdateGatewaySecret', note: 'Key rotation: update (EDIT) on the secret.' }),
  ...both('DELETE', '3.0', 'gateway/secrets/delete', res('gateway_secret', 'delete', SECRET_ID), { rpc: 'DeleteGatewaySecret' }),
  ...both('GET', '3.0', 'gateway/secrets/list', filtered('gateway_secret', 'list_gateway_secrets'), { rpc: 'ListGatewaySecretInfos', note: 'Filtered to the secrets the caller may read.' }),
  ...both('POST', '3.0', 'gateway/endpoints/create', create('gateway_endpoint', auto('gateway_model_definition_id', 'model_configs[].model_definition_id', { action: 'use' }), auto('experiment_id', 'experiment_id', { optional: true, action: 'update' })), {
    rpc: 'CreateGatewayEndpoint',
    note: 'The creator gets MANAGE; every model definition it is built from must be usable (USE), a usage-tracking experiment writable.',
  }),
  ...both(
    'GET',
    '3.0',
    'gateway/endpoints/get',
    endpoint('read', { ...ENDPOINT_ID, optional: true }, auto('endpoint_name', 'name', { optional: true })),
    { rpc: 'GetGatewayEndpoint', note: 'Addressed by endpoint_id or name.' },
  ),
  ...both(
    'POST',
    '3.0',
    'gateway/endpoints/update',
    endpoint(
      'update',
      ENDPOINT_ID,
      auto('gateway_model_definition_id', 'model_configs[].model_definition_id', { optional: true, action: 'use' }),
      auto('experiment_id', 'experiment_id', { optional: true, action: 'update' }),
    ),
    {
      rpc: 'UpdateGatewayEndpoint',
      note: 'update on the endpoint; every model definition it is re-pointed at must be usable (USE); a usage-tracking experiment must be writable.',
    },
  ),
  ...both('DELETE', '3.0', 'gateway/endpoints/delete', endpoint('delete', ENDPOINT_ID), { rpc: 'DeleteGatewayEndpoint' }),
  ...both('GET', '3.0', 'gateway/endpoints/list', filtered('gateway_endpoint', 'list_gateway_endpoints'), { rpc: 'ListGatewayEndpoints' }),
  ...both('POST', '3.0', 'gateway/model-definitions/create', create('gateway_model_definition', { ...SECRET_ID, action: 'use' }), {
    rpc: 'CreateGatewayModelDefinition',
    note: 'The creator gets MANAGE; the secret it wraps must be usable (USE).',
  }),
  ...both('GET', '3.0', 'gateway/model-definitions/get', res('gateway_model_definition', 'read', MODEL_DEFINITION_ID), { rpc: 'GetGatewayModelDefinition' }),
  ...both('GET', '3.0', 'gateway/model-definitions/list', filtered('gateway_model_definition', 'list_gateway_model_definitions', { ...SECRET_ID, optional: true }), {
    rpc: 'ListGatewayModelDefinitions',
    note: 'Filtered to the model definitions the caller may read; a named secret must be readable.',
  }),
  ...both('POST', '3.0', 'gateway/model-definitions/update', res('gateway_model_definition', 'update', MODEL_DEFINITION_ID, { ...SECRET_ID, optional: true, action: 'use' }), {
    rpc: 'UpdateGatewayModelDefinition',
    note: 'update on the model definition; re-pointing it at another secret needs USE on that secret.',
  }),
  ...both('DELETE', '3.0', 'gateway/model-definitions/delete', res('gateway_model_definition', 'delete', MODEL_DEFINITION_ID), { rpc: 'DeleteGatewayModelDefinition' }),
  ...both(
    'POST',
    '3.0',
    'gateway/endpoints/models/attach',
    endpoint('update', ENDPOINT_ID, auto('gateway_model_definition_id', 'model_config.model_definition_id', { action: 'use' })),
    { rpc: 'AttachModelToGatewayEndpoint', note: 'update on the endpoint, USE on the model definition attached.' },
  ),
  ...both('POST', '3.0', 'gateway/endpoints/models/detach', endpoint('update', ENDPOINT_ID), { rpc: 'DetachModelFromGatewayEndpoint' }),
  ...both('POST', '3.0', 'gateway/endpoints/bindings/create', endpoint('update', ENDPOINT_ID), { rpc: 'CreateGatewayEndpointBinding' }),
  ...both('DELETE', '3.0', 'gateway/endpoints/bindings/delete', endpoint('update', ENDPOINT_ID), { rpc: 'DeleteGatewayEndpointBinding' }),
  ...both('GET', '3.0', 'gateway/endpoints/bindings/list', filtered('gateway_endpoint', 'list_endpoint_bindings', { ...ENDPOINT_ID, optional: true }), {
    rpc: 'ListGatewayEndpointBindings',
    note: 'endpoint_id is optional to MLflow (resource_type / resource_id alone list bindings of every endpoint): a named endpoint must be readable; otherwise the answer is filtered.',
  }),
  ...both('POST', '3.0', 'gateway/endpoints/set-tag', endpoint('update', ENDPOINT_ID), { rpc: 'SetGatewayEndpointTag' }),
  ...both('DELETE', '3.0', 'gateway/endpoints/delete-tag', endpoint('update', ENDPOINT_ID), { rpc: 'DeleteGatewayEndpointTag' }),
  ...both('POST', '3.0', 'gateway/budgets/create', ADMIN, { rpc: 'CreateGatewayBudgetPolicy', note: ADMIN_GATEWAY }),
  ...both('GET', '3.0', 'gateway/budgets/get', filtered('gateway_endpoint', 'get_budget_policy'), { rpc: 'GetGatewayBudgetPolicy', note: BUDGET_READ }),
  ...both('POST', '3.0', 'gateway/budgets/update', ADMIN, { rpc: 'UpdateGatewayBudgetPolicy', note: ADMIN_GATEWAY }),
  ...both('DELETE', '3.0', 'gateway/budgets/delete', ADMIN, { rpc: 'DeleteGatewayBudgetPolicy', note: ADMIN_GATEWAY }),
  ...both('GET', '3.0', 'gateway/budgets/list', filtered('gateway_endpoint', 'list_budget_policies'), { rpc: 'ListGatewayBudgetPolicies', note: `${BUDGET_READ} Full pages, the gateway's own page token.` }),
  ...both('GET', '3.0', 'gateway/budgets/windows', filtered('gateway_endpoint', 'list_budget_windows'), { rpc: 'ListGatewayBudgetWindows', note: 'The spend windows of the budget policies the caller may see (as gateway/budgets/list filters them).' }),
  ...both('POST', '3.0', 'gateway/guardrails/create', ADMIN, { rpc: 'CreateGatewayGuardrail', note: ADMIN_GATEWAY }),
  ...both('GET', '3.0', 'gateway/guardrails/get', ADMIN, { rpc: 'GetGatewayGuardrail', note: ADMIN_GATEWAY }),
  ...both('DELETE', '3.0', 'gateway/guardrails/delete', ADMIN, { rpc: 'DeleteGatewayGuardrail', note: ADMIN_GATEWAY }),
  ...both('GET', '3.0', 'gateway/guardrails/list', ADMIN, { rpc: 'ListGatewayGuardrails', note: ADMIN_GATEWAY }),
  ...both('POST', '3.0', 'gateway/guardrails/add-to-endpoint', endpoint('update', ENDPOINT_ID), { rpc: 'AddGuardrailToEndpoint' }),
  ...both('DELETE', '3.0', 'gateway/guardrails/remove-from-endpoint', endpoint('update', ENDPOINT_ID), { rpc: 'RemoveGuardrailFromEndpoint' }),
  ...both('GET', '3.0', 'gateway/guardrails/list-for-endpoint', endpoint('read', ENDPOINT_ID), { rpc: 'ListEndpointGuardrailConfigs' }),
  ...both('PATCH', '3.0', 'gateway/guardrails/update-config', endpoint('update', ENDPOINT_ID), { rpc: 'UpdateEndpointGuardrailConfig' }),
  // UI-only discovery routes: static capability lists, no tenant data.
  ajax('GET', '3.0', 'gateway/supported-providers', AUTHENTICATED, { rpc: '_list_supported_providers' }),
  ajax('GET', '3.0', 'gateway/supported-models', AUTHENTICATED, { rpc: '_list_supported_models' }),
  ajax('GET', '3.0', 'gateway/provider-config', AUTHENTICATED, { rpc: '_get_provider_config' }),
  ajax('GET', '3.0', 'gateway/secrets/config', filtered('gateway_endpoint', 'secrets_config'), {
    rpc: '_get_secrets_config',
    note: "Any signed-in user (MLflow's UI reads it before listing endpoints); non-administrators get it without using_default_passphrase, as MLflow's own auth redacts it.",
  }),
];

const JOB = path('job_id', 'job_id');
const promptOptimization: RouteSpec[] = [
  ...both('POST', '3.0', 'prompt-optimization/jobs', ADMIN, {
    rpc: 'CreatePromptOptimizationJob',
    note: 'The job runs in a worker with NO caller identity and resolves a prompt URI, registered scorers and a gateway endpoint out of free-form config; not safely authorizable from the request: administrators only.',
  }),
  ...both('GET', '3.0', 'prompt-optimization/jobs/{job_id}', exp('read', JOB), { rpc: 'GetPromptOptimizationJob' }),
  ...both('POST', '3.0', 'prompt-optimization/jobs/search', exp('read', EXPERIMENT_ID), { rpc: 'SearchPromptOptimizationJobs' }),
  ...both('GET', '3.0', 'prompt-optimization/jobs/search', exp('read', EXPERIMENT_ID), { rpc: 'SearchPromptOptimizationJobs' }),
  ...both('POST', '3.0', 'prompt-optimization/jobs/{job_id}/cancel', exp('update', JOB), { rpc: 'CancelPromptOptimizationJob' }),
  ...both('DELETE', '3.0', 'prompt-optimization/jobs/{job_id}', exp('delete', JOB), { rpc: 'DeletePromptOptimizationJob' }),
];

const QUEUE = auto('review_queue_id', 'queue_id');
const QUEUE_NOTE = 'MLflow additionally restricts queue visibility/review to owners and members; the gateway uses the experiment permission.';
const reviewQueues: RouteSpec[] = [
  ...both('POST', '3.0', 'review-queues/create', exp('update', EXPERIMENT_ID), {
    rpc: 'CreateReviewQueue',
    refs: [ref('label_schema_id', 'schema_ids', 'read', { many: true, note: 'the queue asks the questions of these label schemas' })],
  }),
  ...both('POST', '3.0', 'review-queues/get-or-create-user', exp('update', EXPERIMENT_ID), { rpc: 'GetOrCreateUserQueue' }),
  ...both('GET', '3.0', 'review-queues/get', exp('read', QUEUE), { rpc: 'GetReviewQueue', note: QUEUE_NOTE }),
  ...both('GET', '3.0', 'review-queues/get-by-name', exp('read', EXPERIMENT_ID), { rpc: 'GetReviewQueueByName', note: QUEUE_NOTE }),
  ...both('GET', '3.0', 'review-queues/list', exp('read', EXPERIMENT_ID), { rpc: 'ListReviewQueues', note: QUEUE_NOTE }),
  ...both('POST', '3.0', 'review-queues/update', exp('update', QUEUE), {
    rpc: 'UpdateReviewQueue',
    refs: [ref('label_schema_id', 'schema_ids', 'read', { many: true }), ref('label_schema_id', 'update_schema_ids', 'read', { many: true })],
  }),
  ...both('POST', '3.0', 'review-queues/delete', exp('delete', QUEUE), { rpc: 'DeleteReviewQueue' }),
  ...both('POST', '3.0', 'review-queues/items/add', exp('update', QUEUE), {
    rpc: 'AddItemsToReviewQueue',
    refs: [ref('trace_id', 'item_ids', 'read', { many: true, note: 'items are traces (or sessions, which resolve to nothing): reviewers of the queue see them' })],
  }),
  ...both('POST', '3.0', 'review-queues/items/remove', exp('update', QUEUE), { rpc: 'RemoveItemsFromReviewQueue' }),
  ...both('GET', '3.0', 'review-queues/items/list', exp('read', QUEUE), { rpc: 'ListReviewQueueItems', note: QUEUE_NOTE }),
  ...both('POST', '3.0', 'review-queues/items/set-status', exp('update', QUEUE), { rpc: 'SetReviewQueueItemStatus', note: QUEUE_NOTE }),
];

// ---------------------------------------------------------------------------------------------
// Flask: ModelRegistryService (model_registry.proto). Prompts use the same routes.

const registry: RouteSpec[] = [
  ...both('POST', '2.0', 'registered-models/create', create('registered_model'), { rpc: 'CreateRegisteredModel' }),
  ...both('POST', '2.0', 'registered-models/rename', model('update', MODEL_NAME), { rpc: 'RenameRegisteredModel' }),
  ...both('PATCH', '2.0', 'registered-models/update', model('update', MODEL_NAME), { rpc: 'UpdateRegisteredModel' }),
  ...both('DELETE', '2.0', 'registered-models/delete', model('delete', MODEL_NAME), { rpc: 'DeleteRegisteredModel' }),
  ...both('GET', '2.0', 'registered-models/get', model('read', MODEL_NAME), { rpc: 'GetRegisteredModel' }),
  ...both('GET', '2.0', 'registered-models/search', filtered('registered_model', 'search_registered_models'), { rpc: 'SearchRegisteredModels' }),
  ...both('POST', '2.0', 'registered-models/get-latest-versions', model('read', MODEL_NAME), { rpc: 'GetLatestVersions' }),
  ...both('GET', '2.0', 'registered-models/get-latest-versions', model('read', MODEL_NAME), { rpc: 'GetLatestVersions' }),
  ...both(
    'POST',
    '2.0',
    'model-versions/create',
    model('update', MODEL_NAME),
    {
      rpc: 'CreateModelVersion',
      note: 'update on the model; read on what the version is copied or linked from (source URI, run, logged model).',
      refs: [
        ref('uri', 'source', 'read', {
          note: 'models:/<other>/<version|@alias|latest|stage> copies that version\'s storage location; runs:/, models:/m-…, mlflow-artifacts: name a run, logged model or experiment tree',
          relativePathsRefusedUnlessTag: 'mlflow.prompt.is_prompt',
        }),
        ref('run_id', 'run_id', 'read'),
        ref('logged_model_id', 'model_id', 'read'),
      ],
    },
  ),
  ...both('PATCH', '2.0', 'model-versions/update', model('update', MODEL_NAME), { rpc: 'UpdateModelVersion' }),
  ...both('POST', '2.0', 'model-versions/transition-stage', model('update', MODEL_NAME), { rpc: 'TransitionModelVersionStage' }),
  ...both('DELETE', '2.0', 'model-versions/delete', model('delete', MODEL_NAME), { rpc: 'DeleteModelVersion' }),
  ...both('GET', '2.0', 'model-versions/get', model('read', MODEL_NAME), { rpc: 'GetModelVersion' }),
  ...both('GET', '2.0', 'model-versions/search', filtered('registered_model', 'search_model_versions'), { rpc: 'SearchModelVersions' }),
  ...both('GET', '2.0', 'model-versions/get-download-uri', model('read', MODEL_NAME), { rpc: 'GetModelVersionDownloadUri' }),
  ...both('POST', '2.0', 'registered-models/set-tag', model('update', MODEL_NAME), { rpc: 'SetRegisteredModelTag' }),
  ...both('POST', '2.0', 'model-versions/set-tag', model('update', MODEL_NAME), { rpc: 'SetModelVersionTag' }),
  ...both('DELETE', '2.0', 'registered-models/delete-tag', model('delete', MODEL_NAME), {
    rpc: 'DeleteRegisteredModelTag',
    note: 'delete-tag on registry objects needs delete (MLflow basic-auth only asks update here).',
  }),
  ...both('DELETE', '2.0', 'model-versions/delete-tag', model('delete', MODEL_NAME), { rpc: 'DeleteModelVersionTag' }),
  ...both('POST', '2.0', 'registered-models/alias', model('update', MODEL_NAME), { rpc: 'SetRegisteredModelAlias' }),
  ...both('DELETE', '2.0', 'registered-models/alias', model('delete', MODEL_NAME), { rpc: 'DeleteRegisteredModelAlias' }),
  ...both('GET', '2.0', 'registered-models/alias', model('read', MODEL_NAME), { rpc: 'GetModelVersionByAlias' }),
  route('GET', '/model-versions/get-artifact', model('read', query('model_name', 'name')), { rpc: 'serve_model_version_artifact' }),
];

// ---------------------------------------------------------------------------------------------
// Artifact proxy (MlflowArtifactsService, mlflow_artifacts.proto). GET/PUT of a file are served
// natively by FastAPI (artifact_router, registered first); the rest by Flask.

const ARTIFACT = path('artifact_path', 'artifact_path');
const ARTIFACT_NOTE = 'Experiment = numeric first segment of the artifact path; a path naming no experiment (root, non-numeric) is administrators only.';
const artifacts: RouteSpec[] = [
  ...bothRoot('GET', '2.0', 'mlflow-artifacts/artifacts/{artifact_path:path}', exp('read', ARTIFACT), {
    rpc: 'DownloadArtifact',
    server: 'fastapi',
    note: ARTIFACT_NOTE,
  }),
  ...bothRoot('PUT', '2.0', 'mlflow-artifacts/artifacts/{artifact_path:path}', exp('update', ARTIFACT), {
    rpc: 'UploadArtifact',
    server: 'fastapi',
    note: ARTIFACT_NOTE,
  }),
  ...bothRoot('GET', '2.0', 'mlflow-artifacts/artifacts', exp('read', auto('artifact_path', 'path', { default: '' })), {
    rpc: 'ListArtifacts (mlflow-artifacts)',
    note: `${ARTIFACT_NOTE} An absent ?path= lists the root.`,
  }),
  ...bothRoot('DELETE', '2.0', 'mlflow-artifacts/artifacts/{artifact_path:path}', exp('delete', ARTIFACT), {
    rpc: 'DeleteArtifact',
    note: ARTIFACT_NOTE,
  }),
  ...bothRoot('POST', '2.0', 'mlflow-artifacts/mpu/create/{artifact_path:path}', exp('update', ARTIFACT), {
    rpc: 'CreateMultipartUpload',
    note: `${ARTIFACT_NOTE} Part uploads go straight to cloud storage with presigned URLs.`,
  }),
  ...bothRoot('POST', '2.0', 'mlflow-artifacts/mpu/complete/{artifact_path:path}', exp('update', ARTIFACT), {
    rpc: 'CompleteMultipartUpload',
    note: ARTIFACT_NOTE,
  }),
  ...bothRoot('POST', '2.0', 'mlflow-artifacts/mpu/abort/{artifact_path:path}', exp('update', ARTIFACT), {
    rpc: 'AbortMultipartUpload',
    note: ARTIFACT_NOTE,
  }),
  ...bothRoot('GET', '2.0', 'mlflow-artifacts/presigned/{artifact_path:path}', exp('read', ARTIFACT), {
    rpc: 'GetPresignedDownloadUrl',
    note: `${ARTIFACT_NOTE} Was unauthorized in MLflow basic-auth before 3.17 (#24567).`,
  }),
];

// ---------------------------------------------------------------------------------------------
// Flask: WebhookService (webhooks.proto): the server calls out to arbitrary URLs (SSRF surface).

const WEBHOOK_NOTE = 'Webhooks make the server call arbitrary URLs: administrators only (as in MLflow).';
const webhooks: RouteSpec[] = [
  ...both('POST', '2.0', 'webhooks', ADMIN, { rpc: 'CreateWebhook', note: WEBHOOK_NOTE }),
  ...both('GET', '2.0', 'webhooks', ADMIN, { rpc: 'ListWebhooks', note: WEBHOOK_NOTE }),
  ...both('GET', '2.0', 'webhooks/{webhook_id}', ADMIN, { rpc: 'GetWebhook', note: WEBHOOK_NOTE }),
  ...both('PATCH', '2.0', 'webhooks/{webhook_id}', ADMIN, { rpc: 'UpdateWebhook', note: WEBHOOK_NOTE }),
  ...both('DELETE', '2.0', 'webhooks/{webhook_id}', ADMIN, { rpc: 'DeleteWebhook', note: WEBHOOK_NOTE }),
  ...both('POST', '2.0', 'webhooks/{webhook_id}/test', ADMIN, { rpc: 'TestWebhook', note: WEBHOOK_NOTE }),
];

// ---------------------------------------------------------------------------------------------
// Flask: everything else (UI shell, static files, health, GraphQL, demo, jobs, telemetry…)

const FLASK_JOB_NOTE =
  'Generic job by id: authorized on the experiment in the job params (MLflow basic-auth: job creator only; a job naming no experiment is administrators only).';
// Routes of older MLflow versions that 3.17.2 no longer serves (their range is in route-versions.ts).
const legacy: RouteSpec[] = [
  // MLflow 3.0 registered the v3 trace RPCs under /2.0 as well, all handled by _not_implemented
  // (404); the path with `{assessment.trace_id}` is literal (never converted to a Flask parameter).
  ...both('POST', '2.0', 'traces/search', ADMIN, { rpc: 'SearchTracesV3', note: NOT_IMPLEMENTED }),
  ...both('GET', '2.0', 'traces/{trace_id}', ADMIN, { rpc: 'GetTraceInfoV3', note: NOT_IMPLEMENTED }),
  ...both('POST', '2.0', 'traces/{assessment.trace_id}/assessments', ADMIN, { rpc: 'CreateAssessment', note: NOT_IMPLEMENTED }),
  ...both('PATCH', '2.0', 'traces/{trace_id}/assessments/{assessment_id}', ADMIN, { rpc: 'UpdateAssessment', note: NOT_IMPLEMENTED }),
  ...both('DELETE', '2.0', 'traces/{trace_id}/assessments/{assessment_id}', ADMIN, { rpc: 'DeleteAssessment', note: NOT_IMPLEMENTED }),
];

const misc: RouteSpec[] = [
  route('GET', '/', AUTHENTICATED, { rpc: 'serve', apiLike: false, note: 'The UI shell (hash-routed SPA).' }),
  // Static bundles need a signed-in user too: the issue's promise is that nobody gets anything without an identity.
  route('GET', '/static-files/{path:path}', AUTHENTICATED, { rpc: 'serve_static_file', apiLike: false }),
  route('GET', '/build/{filename:path}', AUTHENTICATED, {
    rpc: 'static',
    apiLike: false,
    note: "Flask's implicit static route for js/build (the same files as /static-files).",
  }),
  route('GET', '/version', AUTHENTICATED, { rpc: 'version' }),
  route('GET', '/graphql', filtered('experiment', 'graphql'), { rpc: '_graphql' }),
  route('POST', '/graphql', filtered('experiment', 'graphql'), { rpc: '_graphql' }),
  ajax('GET', '3.0', 'ui-telemetry', AUTHENTICATED, { rpc: 'serve_get_ui_telemetry' }),
  ajax('POST', '3.0', 'ui-telemetry', AUTHENTICATED, { rpc: 'serve_post_ui_telemetry' }),
  ajax('POST', '3.0', 'demo/generate', blocked('demo', AUTHENTICATED), {
    rpc: '_generate_demo',
    note: 'Creates demo experiments, traces and prompts server-side.',
  }),
  ajax('POST', '3.0', 'demo/delete', blocked('demo', ADMIN), {
    rpc: '_delete_demo',
    note: 'Hard-deletes the demo experiment and its data (MLflow: administrators only).',
  }),
  ajax('GET', '3.0', 'jobs/{job_id}', exp('read', JOB), { rpc: '_get_job', note: FLASK_JOB_NOTE }),
  ajax('PATCH', '3.0', 'jobs/cancel/{job_id}', exp('update', JOB), { rpc: '_cancel_job', note: FLASK_JOB_NOTE }),
  ajax('GET', '2.0', 'gateway-proxy', blocked('gateway-proxy', AUTHENTICATED), {
    rpc: 'serve_gateway_proxy',
    note: 'Legacy proxy to MLFLOW_DEPLOYMENTS_TARGET with no authorization of its own.',
  }),
  ajax('POST', '2.0', 'gateway-proxy', blocked('gateway-proxy', AUTHENTICATED), {
    rpc: 'serve_gateway_proxy',
    note: 'Legacy proxy to MLFLOW_DEPLOYMENTS_TARGET with no authorization of its own.',
  }),
];

// ---------------------------------------------------------------------------------------------
// FastAPI native routes, in the order create_fastapi_app() registers them (this order decides
// which route serves a path that several templates match, e.g. /gateway/proxy/mlflow/invocations).

const fastapi = (method: HttpMethod, fullPath: string, requirement: Requirement, x: Extra = {}): RouteSpec =>
  route(method, fullPath, requirement, { ...x, server: 'fastapi' });

const GATEWAY_BODY_MODEL = body('endpoint_name', 'model');
const ASSISTANT_NOTE = 'The MLflow assistant runs an agent (Claude Code) with shell access on the server: refused unless the operator enables it, then administrators only.';
const ASSISTANT = blocked('assistant', ADMIN);
const FASTAPI_JOB_NOTE =
  'Generic job by id: authorized on the experiment in the job params (MLflow basic-auth: job creator only; a job naming no experiment is administrators only).';

function mcp(prefix: string): RouteSpec[] {
  const READ_NOTE = 'MCP server registry metadata (no credentials): any signed-in user may read it.';
  const WRITE_NOTE = 'The gateway has no MCP-server resource type: registry changes are administrators only.';
  const r = (method: HttpMethod, rest: string, rpc: string): RouteSpec =>
    fastapi(method, `${prefix}${rest}`, method === 'GET' ? AUTHENTICATED : ADMIN, { rpc, note: method === 'GET' ? READ_NOTE : WRITE_NOTE });
  return [
    r('POST', '', 'create_mcp_server'),
    r('GET', '', 'search_mcp_servers'),
    r('GET', '/endpoints', 'search_all_access_endpoints'),
    r('POST', '/{name:path}/versions/{version:path}/tags', 'set_mcp_server_version_tag'),
    r('DELETE', '/{name:path}/versions/{version:path}/tags/{key:path}', 'delete_mcp_server_version_tag'),
    r('GET', '/{name:path}/versions/{version:path}', 'get_mcp_server_version'),
    r('PATCH', '/{name:path}/versions/{version:path}', 'update_mcp_server_version'),
    r('DELETE', '/{name:path}/versions/{version:path}', 'delete_mcp_server_version'),
    r('POST', '/{name:path}/versions', 'create_mcp_server_version'),
    r('GET', '/{name:path}/versions', 'search_mcp_server_versions'),
    r('POST', '/{name:path}/endpoints', 'create_mcp_access_endpoint'),
    r('GET', '/{name:path}/endpoints/{endpoint_id}', 'get_mcp_access_endpoint'),
    r('PATCH', '/{name:path}/endpoints/{endpoint_id}', 'update_mcp_access_endpoint'),
    r('DELETE', '/{name:path}/endpoints/{endpoint_id}', 'delete_mcp_access_endpoint'),
    r('GET', '/{name:path}/endpoints', 'search_server_access_endpoints'),
    r('POST', '/{name:path}/tags', 'set_mcp_server_tag'),
    r('DELETE', '/{name:path}/tags/{key:path}', 'delete_mcp_server_tag'),
    r('POST', '/{name:path}/aliases', 'set_mcp_server_alias'),
    r('GET', '/{name:path}/aliases/{alias:path}', 'get_version_by_alias'),
    r('DELETE', '/{name:path}/aliases/{alias:path}', 'delete_mcp_server_alias'),
    r('GET', '/{name:path}', 'get_mcp_server'),
    r('PATCH', '/{name:path}', 'update_mcp_server'),
    r('DELETE', '/{name:path}', 'delete_mcp_server'),
  ];
}

const fastapiRoutes: RouteSpec[] = [
  // otel_router
  fastapi('POST', '/v1/traces', exp('update', header('experiment_id', 'x-mlflow-experiment-id')), {
    rpc: 'export_traces',
    note: 'OTLP/HTTP span export: update on the experiment named by the X-Mlflow-Experiment-Id header, on every existing trace the spans belong to (src/mlflow/otlp-trace-ids.ts), and on the run the traces are linked to.',
    refs: [refHeader('run_id', 'x-mlflow-run-id', 'update', { note: 'MLflow links the exported traces to this run (the REST twin traces/link-to-run needs update on it)' })],
  }),
  // job_api_router
  fastapi('GET', '/ajax-api/3.0/jobs/{job_id}', exp('read', JOB), { rpc: 'get_job', note: FASTAPI_JOB_NOTE }),
  fastapi('POST', '/ajax-api/3.0/jobs', ADMIN, {
    rpc: 'submit_job',
    note: 'Registered at "/ajax-api/3.0/jobs/" (trailing slash): the table holds the normalised form, and the gateway forwards "/ajax-api/3.0/jobs", which MLflow answers 404, so job submission is unreachable through the gateway. It runs any allow-listed job function with arbitrary params and no resource check: administrators only (unused by the UI).',
  }),
  fastapi('PATCH', '/ajax-api/3.0/jobs/cancel/{job_id}', exp('update', JOB), { rpc: 'cancel_job', note: FASTAPI_JOB_NOTE }),
  fastapi('POST', '/ajax-api/3.0/jobs/search', ADMIN, {
    rpc: 'search_jobs',
    note: "Lists every job's params and results across experiments (MLflow narrows to the caller's own jobs): administrators only.",
  }),
  // gateway_router: invocation needs USE on the endpoint, named in the path or the body's `model`.
  fastapi('POST', '/gateway/{endpoint_name}/mlflow/invocations', endpoint('use', path('endpoint_name', 'endpoint_name')), { rpc: 'invocations' }),
  fastapi('POST', '/gateway/mlflow/v1/chat/completions', endpoint('use', GATEWAY_BODY_MODEL), { rpc: 'chat_completions' }),
  fastapi('GET', '/gateway/mlflow/v1/models', filtered('gateway_endpoint', 'list_gateway_models'), {
    rpc: 'list_models',
    note: 'Lists endpoints as models: filtered to endpoints the caller may use.',
  }),
  fastapi('POST', '/gateway/openai/v1/chat/completions', endpoint('use', GATEWAY_BODY_MODEL), { rpc: 'openai_passthrough_chat' }),
  fastapi('POST', '/gateway/openai/v1/embeddings', endpoint('use', GATEWAY_BODY_MODEL), { rpc: 'openai_passthrough_embeddings' }),
  fastapi('POST', '/gateway/typesafe/v1/systemone', endpoint('use', GATEWAY_BODY_MODEL), { rpc: 'typesafe_passthrough_system_one' }),
  fastapi('POST', '/gateway/openai/v1/responses', endpoint('use', GATEWAY_BODY_MODEL), { rpc: 'openai_passthrough_responses' }),
  fastapi('POST', '/gateway/openai/v1/responses/compact', endpoint('use', GATEWAY_BODY_MODEL), {
    rpc: 'openai_passthrough_responses_compact',
    note: 'Missing from MLflow basic-auth _ROUTES_NEEDING_BODY in 3.17.2 (there it is refused with "No endpoint name found").',
  }),
  fastapi('POST', '/gateway/anthropic/v1/messages', endpoint('use', GATEWAY_BODY_MODEL), { rpc: 'anthropic_passthrough_messages' }),
  fastapi('POST', '/gateway/gemini/v1beta/models/{endpoint_name}:generateContent', endpoint('use', path('endpoint_name', 'endpoint_name')), {
    rpc: 'gemini_passthrough_generate_content',
  }),
  fastapi(
    'POST',
    '/gateway/gemini/v1beta/models/{endpoint_name}:streamGenerateContent',
    endpoint('use', path('endpoint_name', 'endpoint_name')),
    { rpc: 'gemini_passthrough_stream_generate_content' },
  ),
  fastapi('POST', '/gateway/proxy/{endpoint_name}/{path:path}', endpoint('use', path('endpoint_name', 'endpoint_name')), {
    rpc: 'raw_proxy',
    note: 'Raw passthrough to the endpoint provider: strip client credentials before forwarding.',
  }),
  // assistant_router
  fastapi('POST', '/ajax-api/3.0/mlflow/assistant/message', ASSISTANT, { rpc: 'send_message', note: ASSISTANT_NOTE }),
  fastapi('GET', '/ajax-api/3.0/mlflow/assistant/sessions/{session_id}/stream', ASSISTANT, { rpc: 'stream_response', note: ASSISTANT_NOTE }),
  fastapi('PATCH', '/ajax-api/3.0/mlflow/assistant/sessions/{session_id}', ASSISTANT, { rpc: 'patch_session', note: ASSISTANT_NOTE }),
  fastapi('POST', '/ajax-api/3.0/mlflow/assistant/sessions/{session_id}/permission', ASSISTANT, {
    rpc: 'resolve_permission',
    note: ASSISTANT_NOTE,
  }),
  fastapi('POST', '/ajax-api/3.0/mlflow/assistant/sessions/{session_id}/tool-result', ASSISTANT, {
    rpc: 'resolve_client_tool_result',
    note: ASSISTANT_NOTE,
  }),
  fastapi('GET', '/ajax-api/3.0/mlflow/assistant/providers/{provider}/health', ASSISTANT, { rpc: 'provider_health_check', note: ASSISTANT_NOTE }),
  fastapi('GET', '/ajax-api/3.0/mlflow/assistant/providers', ASSISTANT, { rpc: 'get_providers', note: ASSISTANT_NOTE }),
  fastapi('GET', '/ajax-api/3.0/mlflow/assistant/config', ASSISTANT, { rpc: 'get_config', note: ASSISTANT_NOTE }),
  fastapi('PUT', '/ajax-api/3.0/mlflow/assistant/config', ASSISTANT, { rpc: 'update_config', note: ASSISTANT_NOTE }),
  fastapi('POST', '/ajax-api/3.0/mlflow/assistant/skills/install', ASSISTANT, { rpc: 'install_skills_endpoint', note: ASSISTANT_NOTE }),
  fastapi('GET', '/ajax-api/3.0/mlflow/assistant/providers/{provider}/models', ASSISTANT, { rpc: 'list_provider_models', note: ASSISTANT_NOTE }),
  // artifact_router (GET/PUT of a file): listed with the artifact routes above (server: 'fastapi').
  // mcp_server_router, under both prefixes
  ...mcp('/ajax-api/3.0/mlflow/mcp-servers'),
  ...mcp('/api/3.0/mlflow/mcp-servers'),
  // server_info_router (these shadow the Flask routes of the same path)
  fastapi('GET', '/health', PUBLIC, { rpc: 'health' }),
  ...both('GET', '3.0', 'server-info', AUTHENTICATED, {
    rpc: 'get_server_info',
    server: 'fastapi',
    note: 'MLflow serves this without login; the gateway asks for a signed-in identity.',
  }),
];

// ---------------------------------------------------------------------------------------------

/** Every entry with the MLflow releases that serve it (src/mlflow/route-versions.ts, generated). */
function withVersions(r: RouteSpec): RouteSpec {
  const v = ROUTE_VERSIONS[`${r.method} ${r.path}`];
  return v ? { ...r, ...v } : r;
}

export const ROUTES: readonly RouteSpec[] = Object.freeze([
  ...fastapiRoutes,
  ...artifacts,
  ...experiments,
  ...runs,
  ...traces,
  ...workspaces,
  ...loggedModels,
  ...issues,
  ...labelSchemas,
  ...datasets,
  ...scorers,
  ...gatewayConfig,
  ...promptOptimization,
  ...reviewQueues,
  ...registry,
  ...webhooks,
  ...misc,
  ...legacy,
].map(withVersions));
