// Reference-shaped request fields (`*_id`, `*_uri`, `source`, `name`…) of the pinned MLflow that
// name NO other resource the gateway must check, each with the reason. Together with the route
// table's requirement ids (primary) and its references column, this classifies every such field
// of every RPC a non-administrator may call; test/mlflow-reference-coverage.test.ts fails when the
// pinned MLflow (scripts/mlflow-reference-fields.py) has one that is in none of the three, so a
// new MLflow version cannot add an unchecked reference silently.

const NEW_NAME = 'the name of the object being created or renamed (MLflow refuses a name already taken)';
const IN_EXPERIMENT = 'a name looked up inside the experiment the route already checks (experiment_id)';
const SPAN_LABEL = 'span / event identity inside the trace being written (no other object)';
const ASSESSMENT_LABELS = 'labels of an assessment of the trace the route checks (the handler takes the trace from the path and overwrites assessment.trace_id)';
const DATASET_LABEL = 'a dataset name recorded with the metric as text; MLflow does not look it up';
const UPLOAD = "the storage's multipart upload session of the same artifact path (the path is what is authorized)";
const DATABRICKS_TABLE = 'Databricks inference-table locations: the OSS server stores traces in experiments only; a request naming no mlflow_experiment location names no experiment and is refused';
const GUARDRAIL = 'guardrails are administrator-defined policies without an owner or credentials; attaching one to an endpoint the caller may update only restricts that endpoint';

/** Field name (last path segment) → why it is inert wherever it appears. */
export const INERT_EVERYWHERE: Readonly<Record<string, string>> = {
  run_name: 'display name of the run',
  client_request_id: 'a client-chosen label stored with the trace',
  upload_id: UPLOAD,
  guardrail_id: GUARDRAIL,
  dataset_name: DATASET_LABEL,
  new_name: NEW_NAME,
  deployment_job_id: 'a Databricks deployment job id stored as text; OSS MLflow runs nothing with it',
};

const MCP_READ = 'MCP server registry metadata (no credentials), readable by any signed-in user: the name only selects what is read';

/** RPC → dotted field path → why it is inert in that request. */
export const INERT_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  // FastAPI routes (by endpoint function name; fields are parameter names, headers lower-case).
  export_traces: {
    'x-mlflow-workspace':
      'selects the MLflow workspace; the gateway authorizes workspaces on their own routes only and its lookups see the default workspace (documented limitation in src/mlflow/resolver.ts)',
  },
  get_mcp_server: { name: MCP_READ },
  get_mcp_server_version: { name: MCP_READ },
  get_version_by_alias: { name: MCP_READ },
  search_mcp_server_versions: { name: MCP_READ },
  search_server_access_endpoints: { name: MCP_READ },
  get_mcp_access_endpoint: { name: MCP_READ, endpoint_id: MCP_READ },
  CreateExperiment: { name: NEW_NAME },
  CreateRegisteredModel: { name: NEW_NAME },
  CreateLoggedModel: { name: 'display name of the new logged model (not unique, not looked up)' },
  CreateDataset: { name: NEW_NAME },
  CreateIssue: { name: NEW_NAME },
  UpdateIssue: { name: NEW_NAME },
  CreateLabelSchema: { name: NEW_NAME },
  UpdateLabelSchema: { name: NEW_NAME },
  CreateReviewQueue: { name: NEW_NAME },
  UpdateReviewQueue: { name: NEW_NAME },
  UpdateGatewayEndpoint: { name: NEW_NAME },
  CreateGatewayEndpoint: { name: NEW_NAME },
  CreateGatewaySecret: { secret_name: NEW_NAME },
  GetGatewaySecretInfo: {
    secret_name: "not read by this handler (handlers._get_gateway_secret_info looks the secret up by secret_id only, which is required and checked)",
  },
  CreateGatewayModelDefinition: { name: NEW_NAME, model_name: "the provider's model name (e.g. gpt-4o), sent to the provider; no object of this server" },
  UpdateGatewayModelDefinition: { name: NEW_NAME, model_name: "the provider's model name, sent to the provider; no object of this server" },
  RegisterScorer: { name: 'the scorer name inside the experiment the route checks' },
  DeleteScorer: { name: IN_EXPERIMENT },
  GetScorer: { name: IN_EXPERIMENT },
  ListScorerVersions: { name: IN_EXPERIMENT },
  GetLabelSchemaByName: { name: IN_EXPERIMENT },
  GetReviewQueueByName: { name: IN_EXPERIMENT },
  CreateRun: { user_id: 'run authorship: the gateway sets it to the signed-in user (attribution)' },
  CreateModelVersion: { run_link: 'a URL shown in the UI; MLflow never follows it' },
  LogBatch: { 'metrics[].run_id': "ignored: the handler logs every metric to the request's run_id" },
  LogInputs: { 'datasets[].dataset.name': "defines a dataset inside the run's experiment" },
  QueryTraceMetrics: { metric_name: 'a metric name, not an object' },
  SearchLoggedModels: {
    'order_by[].field_name': 'a sort key',
    'order_by[].dataset_name': 'a sort key (dataset label)',
  },
  SearchTracesV3: { 'locations[].inference_table.full_table_name': DATABRICKS_TABLE },
  StartTraceV3: {
    'trace.trace_info.trace_location.inference_table.full_table_name': DATABRICKS_TABLE,
    'trace.spans[].trace_id': 'StartTraceV3 stores trace.trace_info only; spans of the request are not read',
    'trace.spans[].span_id': SPAN_LABEL,
    'trace.spans[].parent_span_id': SPAN_LABEL,
    'trace.spans[].name': SPAN_LABEL,
    'trace.spans[].events[].name': SPAN_LABEL,
    'trace.spans[].links[].trace_id': 'StartTraceV3 stores trace.trace_info only; span links are not read',
    'trace.spans[].links[].span_id': SPAN_LABEL,
    'trace.trace_info.assessments[].trace_id': 'overwritten with the trace being created (start_trace backfills trace_id)',
    'trace.trace_info.assessments[].assessment_id': ASSESSMENT_LABELS,
    'trace.trace_info.assessments[].assessment_name': ASSESSMENT_LABELS,
    'trace.trace_info.assessments[].issue.issue_name': ASSESSMENT_LABELS,
    'trace.trace_info.assessments[].source.source_id': 'who wrote the assessment (a label)',
    'trace.trace_info.assessments[].span_id': SPAN_LABEL,
  },
  CreateAssessment: {
    'assessment.trace_id': ASSESSMENT_LABELS,
    'assessment.assessment_id': ASSESSMENT_LABELS,
    'assessment.assessment_name': ASSESSMENT_LABELS,
    'assessment.issue.issue_name': ASSESSMENT_LABELS,
    'assessment.source.source_id': 'who wrote the assessment (a label)',
    'assessment.span_id': SPAN_LABEL,
  },
  UpdateAssessment: {
    'assessment.trace_id': ASSESSMENT_LABELS,
    'assessment.assessment_id': ASSESSMENT_LABELS,
    'assessment.assessment_name': ASSESSMENT_LABELS,
    'assessment.issue.issue_name': ASSESSMENT_LABELS,
    'assessment.source.source_id': 'who wrote the assessment (a label)',
    'assessment.span_id': SPAN_LABEL,
  },
  GetAssessmentRequest: { assessment_id: 'an assessment of the trace in the path, which the route checks' },
  DeleteAssessment: { assessment_id: 'an assessment of the trace in the path, which the route checks' },
  DeleteTraces: { request_ids: 'the store deletes only traces of the experiment the route checks' },
  DeleteTracesV3: { request_ids: 'the store deletes only traces of the experiment the route checks' },
  DeleteDatasetRecords: { dataset_record_ids: 'records of the dataset the route checks' },
  RemoveDatasetFromExperiments: { experiment_ids: 'the dataset resolves to every experiment it is linked to, all of which the route checks' },
  DetachModelFromGatewayEndpoint: { model_definition_id: 'detaching only removes a model from the endpoint the route checks' },
  RemoveItemsFromReviewQueue: { item_ids: 'removing items from the queue the route checks' },
  SetReviewQueueItemStatus: { item_id: 'an item of the queue the route checks' },
  ListReviewQueues: { item_id: 'a filter: queues of the experiment the route checks that contain the item' },
  ListGatewayEndpoints: { secret_id: 'a filter; the answer is filtered to endpoints the caller may read' },
  GetGatewayBudgetPolicy: { budget_policy_id: "the policy read; the gateway answers it only when the policy's target is the caller's to see (src/pipeline/filtered/budgets.ts)" },
  CreateGatewayEndpointBinding: { resource_id: 'the consumer recorded on a binding of the endpoint the route checks (update); MLflow reads nothing of it' },
  DeleteGatewayEndpointBinding: { resource_id: 'a binding of the endpoint the route checks' },
  ListGatewayEndpointBindings: { resource_id: 'a filter over bindings of the endpoint the route checks' },
};
