import type { Gateway } from './gateway.js';
import type { RequestContext } from './context.js';
import { field } from '../mlflow/resolver.js';

/**
 * Bookkeeping that must follow what MLflow actually did (never what the client asked for): the
 * creator of an experiment or registered model gets MANAGE on it, and the resolver and grants
 * follow deletes and renames. Runs only after a 2xx answer, with MLflow's JSON response.
 */
export type AfterSuccess = (gw: Gateway, ctx: RequestContext, response: unknown) => Promise<void>;

const HOOKS: Readonly<Record<string, AfterSuccess>> = {
  CreateExperiment: async (gw, ctx, res) => grantCreator(gw, ctx, 'experiment', field(res, 'experiment_id')),
  CreateRegisteredModel: async (gw, ctx, res) => {
    const name = field(res, 'registered_model.name');
    await grantCreator(gw, ctx, 'registered_model', name);
    // The client's usual "get, 404, create, create a version" (register_prompt, register_model)
    // must not meet the resolver's cached "no such model" from the first step.
    if (typeof name === 'string' && name !== '') await forgetOwner(gw, 'registered_model', name);
  },
  CreateGatewaySecret: async (gw, ctx, res) => grantCreator(gw, ctx, 'gateway_secret', field(res, 'secret.secret_id')),
  CreateGatewayModelDefinition: async (gw, ctx, res) => grantCreator(gw, ctx, 'gateway_model_definition', field(res, 'model_definition.model_definition_id')),
  CreateGatewayEndpoint: async (gw, ctx, res) => grantCreator(gw, ctx, 'gateway_endpoint', field(res, 'endpoint.endpoint_id')),
  DeleteExperiment: async (gw, ctx) => invalidateExperiment(gw, ctx),
  UpdateExperiment: async (gw, ctx) => invalidateExperiment(gw, ctx),
  RenameRegisteredModel: async (gw, ctx) => {
    const from = stringField(ctx.json, 'name');
    const to = stringField(ctx.json, 'new_name') ?? stringField(ctx.json, 'newName');
    if (!from || !to || from === to) return;
    // Grants on registered models are keyed by name: they move with the model.
    for (const g of await gw.store.grants.listForResource('registered_model', from)) await gw.store.grants.set({ ...g, resourceId: to });
    await gw.store.grants.deleteForResource('registered_model', from);
    await forgetOwner(gw, 'registered_model', from);
  },
  DeleteRegisteredModel: async (gw, ctx) => {
    const name = stringField(ctx.json, 'name');
    if (!name) return;
    // A model created later under the same name must not inherit the old model's grants.
    await gw.store.grants.deleteForResource('registered_model', name);
    await forgetOwner(gw, 'registered_model', name);
  },
};

export function afterSuccessFor(rpc: string | undefined): AfterSuccess | undefined {
  return rpc === undefined ? undefined : HOOKS[rpc];
}

async function grantCreator(gw: Gateway, ctx: RequestContext, type: 'experiment' | 'registered_model' | 'gateway_secret' | 'gateway_model_definition' | 'gateway_endpoint', id: unknown): Promise<void> {
  const user = ctx.principal?.user;
  if (!user || (typeof id !== 'string' && typeof id !== 'number')) return;
  const resourceId = String(id);
  await gw.store.grants.set({ principalType: 'user', principal: user.id, resourceType: type, resourceId, level: 'MANAGE' });
  await gw.store.audit.append({
    time: new Date(), actor: user.username, action: 'grant.create', resource: `${type}:${resourceId}`, decision: 'info',
    reason: 'creator gets MANAGE', requestId: ctx.requestId, clientIp: ctx.clientIp,
  });
}

async function invalidateExperiment(gw: Gateway, ctx: RequestContext): Promise<void> {
  const id = stringField(ctx.json, 'experiment_id') ?? stringField(ctx.json, 'experimentId');
  if (id) await forgetOwner(gw, 'experiment', id);
}

/** Every replica's resolver forgets the object (this one before the bus call returns). */
async function forgetOwner(gw: Gateway, resourceType: 'experiment' | 'registered_model', id: string): Promise<void> {
  await gw.bus.publish({ kind: 'mlflow-object', resourceType, id });
}

function stringField(body: unknown, name: string): string | undefined {
  const v = field(body, name);
  return typeof v === 'string' && v !== '' ? v : undefined;
}
