import type { Gateway } from './gateway.js';
import type { RequestContext } from './context.js';
import { field, isPromptTagged } from '../mlflow/resolver.js';
import { teamDefaultGrants } from '../permissions/team-defaults.js';
import type { TeamDefaultType } from '../store/index.js';

/**
 * Bookkeeping that must follow what MLflow actually did (never what the client asked for): the
 * creator of an experiment, registered model or prompt gets MANAGE on it (and the team defaults'
 * groups their level), and the resolver and grants follow deletes and renames. Runs only after a 2xx answer, with MLflow's JSON response.
 */
export type AfterSuccess = (gw: Gateway, ctx: RequestContext, response: unknown) => Promise<void>;

const HOOKS: Readonly<Record<string, AfterSuccess>> = {
  CreateExperiment: async (gw, ctx, res) => grantCreator(gw, ctx, 'experiment', field(res, 'experiment_id')),
  // A prompt is a registered model MLflow created with the prompt tag: what MLflow answers decides.
  CreateRegisteredModel: async (gw, ctx, res) => {
    const name = field(res, 'registered_model.name');
    await grantCreator(gw, ctx, isPromptTagged(field(res, 'registered_model.tags')) ? 'prompt' : 'registered_model', name);
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
    // Grants on registered models and prompts are keyed by name: they move with the model, and
    // so do the grants on its versions (`<name>/<version>`).
    for (const type of ['registered_model', 'prompt'] as const) {
      await gw.store.grants.moveResource({ type, id: from }, { type, id: to });
      const versionType = type === 'prompt' ? 'prompt_version' : 'model_version';
      for (const g of await gw.store.grants.listForResourcePrefix(versionType, `${from}/`)) {
        const suffix = g.resourceId.slice(from.length);
        if (!/^\/[^/]+$/.test(suffix)) continue; // `<from>/<version>` only, not a model named `<from>/x`
        await gw.store.grants.moveResource({ type: versionType, id: g.resourceId }, { type: versionType, id: `${to}${suffix}` });
      }
    }
    await forgetOwner(gw, 'registered_model', from);
  },
  DeleteRegisteredModel: async (gw, ctx) => {
    const name = stringField(ctx.json, 'name');
    if (!name) return;
    // A model created later under the same name must not inherit the old model's grants (nor
    // those of its versions).
    for (const type of ['registered_model', 'prompt'] as const) {
      await gw.store.grants.deleteForResource(type, name);
      const versionType = type === 'prompt' ? 'prompt_version' : 'model_version';
      for (const g of await gw.store.grants.listForResourcePrefix(versionType, `${name}/`)) {
        if (/^\/[^/]+$/.test(g.resourceId.slice(name.length))) await gw.store.grants.deleteForResource(versionType, g.resourceId);
      }
    }
    await forgetOwner(gw, 'registered_model', name);
  },
};

export function afterSuccessFor(rpc: string | undefined): AfterSuccess | undefined {
  return rpc === undefined ? undefined : HOOKS[rpc];
}

async function grantCreator(gw: Gateway, ctx: RequestContext, type: TeamDefaultType, id: unknown): Promise<void> {
  const user = ctx.principal?.user;
  if (!user || (typeof id !== 'string' && typeof id !== 'number')) return;
  const resourceId = String(id);
  await gw.store.grants.set({ principalType: 'user', principal: user.id, resourceType: type, resourceId, level: 'MANAGE' });
  await gw.store.audit.append({
    time: new Date(), actor: user.username, action: 'grant.create', resource: `${type}:${resourceId}`, decision: 'info',
    reason: 'creator gets MANAGE', requestId: ctx.requestId, clientIp: ctx.clientIp,
  });
  // Team defaults: groups get their level beside the creator's MANAGE (never lowering a grant
  // that already exists, e.g. on a name reused after a delete that another path re-granted).
  for (const d of teamDefaultGrants(await gw.store.rules.teamDefaults(), type, user.groups)) {
    const existing = (await gw.store.grants.listForResource(type, resourceId)).find((g) => g.principalType === 'group' && g.principal === d.group);
    if (existing) continue;
    await gw.store.grants.set({ principalType: 'group', principal: d.group, resourceType: type, resourceId, level: d.level });
    await gw.store.audit.append({
      time: new Date(), actor: user.username, action: 'grant.create', resource: `${type}:${resourceId}`, decision: 'info',
      reason: `team default ${d.ruleId}: group ${d.group} gets ${d.level}`, requestId: ctx.requestId, clientIp: ctx.clientIp,
    });
  }
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
