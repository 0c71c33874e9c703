import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.js';
import type { FilterKind } from '../../mlflow/index.js';
import type { ResourceType, Subject } from '../../policy/index.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../context.js';
import { serveGetBudgetPolicy, serveListBudgetPolicies, serveListBudgetWindows } from './budgets.js';
import { serveSearchLoggedModels, serveSearchTraces } from './experiment-children.js';
import { serveSearchExperiments } from './experiments.js';
import { serveListGatewayEndpoints, serveListGatewayModelDefinitions, serveListGatewayModels, serveListGatewaySecrets, serveSecretsConfig } from './gateway-lists.js';
import { serveSearchModelVersions, serveSearchRegisteredModels } from './registry.js';
import { serveSearchRuns } from './runs.js';
import { createFilterRequest, type FilterRequest } from './request.js';
import { serveListScorers } from './scorers.js';
import { serveListEndpointBindings, serveSearchDatasets, serveSearchIssues } from './unscoped-lists.js';
import { serveListWorkspaces } from './workspaces.js';

/**
 * Serves a `filtered` route (searches, lists, GraphQL) for a caller who may not read everything:
 * answers the request itself, or forwards a narrowed copy, so that only what the caller may read
 * comes back. Returns true when it sent the reply; false means "forward unchanged", which happens
 * only when the caller reads everything the route can return (AccessControl.readsEverything).
 */
export async function serveFiltered(gw: Gateway, req: FastifyRequest, reply: FastifyReply, ctx: RequestContext): Promise<boolean> {
  const requirement = ctx.route?.requirement;
  if (requirement?.kind !== 'filtered') return false;
  const subject = subjectOf(ctx);
  if (await readsAll(gw, subject, requirement.filter, requirement.resource)) return false;
  return SERVE[requirement.filter](createFilterRequest(gw, req, reply, ctx, subject));
}

/** The policy's subject, set by the authorize step (which always runs first); none means fail closed. */
function subjectOf(ctx: RequestContext): Subject {
  if (!ctx.subject) throw new GatewayError('GW_UNAUTHENTICATED', 'Sign in to use this MLflow route');
  return ctx.subject;
}

/** The resource types a filter can return; GraphQL answers carry experiments' data and model versions. */
async function readsAll(gw: Gateway, subject: Subject, filter: FilterKind, resource: ResourceType): Promise<boolean> {
  // The model list is "endpoints you may invoke" (USE), which reading everything does not imply.
  if (filter === 'list_gateway_models') return false;
  // Redacted for every non-administrator, whatever they may read.
  if (filter === 'secrets_config') return subject.isAdmin;
  // A budget policy targets a user or an endpoint, not a readable resource: decided per policy.
  if (filter === 'get_budget_policy' || filter === 'list_budget_policies' || filter === 'list_budget_windows') return subject.isAdmin;
  // Registry searches return prompts too (MLflow stores them as registered models).
  const types: ResourceType[] =
    filter === 'graphql' ? ['experiment', 'registered_model', 'prompt']
      : resource === 'registered_model' ? ['registered_model', 'prompt']
        : [resource];
  for (const t of types) if (!(await gw.access.readsEverything(subject, t))) return false;
  return true;
}

const SERVE: Readonly<Record<FilterKind, (fr: FilterRequest) => Promise<true>>> = {
  search_experiments: serveSearchExperiments,
  search_registered_models: serveSearchRegisteredModels,
  search_model_versions: serveSearchModelVersions,
  search_runs: serveSearchRuns,
  search_logged_models: serveSearchLoggedModels,
  // GET /api/2.0/mlflow/traces (v2, query experiment_ids) and POST traces/search (v3, locations).
  search_traces: serveSearchTraces,
  list_scorers: serveListScorers,
  list_gateway_endpoints: serveListGatewayEndpoints,
  list_gateway_models: serveListGatewayModels,
  list_workspaces: serveListWorkspaces,
  search_issues: serveSearchIssues,
  search_datasets: serveSearchDatasets,
  list_endpoint_bindings: serveListEndpointBindings,
  secrets_config: serveSecretsConfig,
  list_gateway_secrets: serveListGatewaySecrets,
  list_gateway_model_definitions: serveListGatewayModelDefinitions,
  get_budget_policy: serveGetBudgetPolicy,
  list_budget_policies: serveListBudgetPolicies,
  list_budget_windows: serveListBudgetWindows,
  // The graphql package (~13 MiB of RSS) is loaded on the first GraphQL request of a non-administrator.
  graphql: async (fr) => (await import('./graphql/index.js')).serveGraphql(fr),
};
