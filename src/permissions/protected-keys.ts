// Protected aliases and tag keys (issue #16 §4): rules that require a level, or membership of named
// groups, to set or delete given aliases (`champion`, `prod*`) and tag keys on registered models,
// prompts, their versions, experiments and runs — on top of what the route itself needs. Plus one
// built-in rule: the prompt marker tag (mlflow.prompt.is_prompt) decides whether a registry object
// is a prompt or a model, so setting or removing it would move the object between resource types
// (and between their grants): administrators only, on every route that can write it.
import { GatewayError } from '../errors/index.js';
import { PROMPT_TAG, type ResolvedResource } from '../mlflow/resolver.js';
import { versionResourceId, type ExtractInput, type IdKind, type RouteSpec } from '../mlflow/index.js';
import { atLeast, globMatch, type Subject } from '../policy/index.js';
import type { Gateway } from '../pipeline/gateway.js';
import type { ProtectableType, ProtectedKeyRule } from '../store/index.js';
import { KEY_WRITES, readField, type KeyOwner } from './key-writes.js';

/** The resource a key is written on, as rules see it. */
interface KeyTarget {
  readonly type: ProtectableType;
  /** What the rule's resourcePattern matches: the model / prompt / experiment name (versions: their model's; runs: their experiment's). */
  readonly patternName: string;
  /** What the level is decided on (a run, a version: children with their parent). */
  readonly resource: ResolvedResource;
}

/**
 * Refuses the request (403 GW_PROTECTED_KEY, naming the rule) when it sets or deletes a protected
 * alias or tag key the subject may not write. Administrators without token limits pass every rule.
 */
export async function checkProtectedKeys(gw: Gateway, subject: Subject, route: RouteSpec, input: ExtractInput): Promise<string | undefined> {
  const write = route.rpc === undefined ? undefined : KEY_WRITES[route.rpc];
  if (write === undefined) return undefined;
  if (subject.isAdmin && !subject.scope && !subject.maxLevel) return undefined;
  const keys = readField(route, input, write.field);
  if (!keys.ok) throw new GatewayError(keys.code, keys.message);
  if (keys.values.length === 0) return undefined;

  if (write.target === 'tag' && keys.values.includes(PROMPT_TAG) && (write.owner === 'model' || write.owner === 'version')) {
    throw new GatewayError('GW_PROTECTED_KEY', `Only administrators may set or delete the tag ${PROMPT_TAG}: it decides whether a registry object is a prompt or a model, and changing it would move the object between resource types and their grants`);
  }
  const rules = (await gw.store.rules.protectedKeys()).filter((r) => r.target === write.target);
  if (rules.length === 0) return undefined;
  const target = await keyTarget(gw, route, input, write.owner, keys.values);
  if (target === undefined) return undefined; // nothing MLflow knows: the route's own check already answered
  const applying = rules.filter((r) => r.resourceType === target.type && globMatch(r.resourcePattern, target.patternName));
  const checked: string[] = [];
  for (const key of keys.values) {
    for (const rule of applying.filter((r) => globMatch(r.keyPattern, key))) {
      await enforce(gw, subject, rule, write.target, key, target);
      checked.push(`${rule.id} (${write.target} ${JSON.stringify(key)})`);
    }
  }
  return checked.length > 0 ? `protected keys allowed: ${checked.join(', ')}` : undefined;
}

async function enforce(gw: Gateway, subject: Subject, rule: ProtectedKeyRule, target: 'alias' | 'tag', key: string, on: KeyTarget): Promise<void> {
  const what = `${target} ${JSON.stringify(key)} on ${on.type.replace('_', ' ')} '${on.resource.name ?? on.resource.id}'`;
  const pattern = `rule ${rule.id} (${on.type} ${JSON.stringify(rule.resourcePattern)}, ${target} ${JSON.stringify(rule.keyPattern)})`;
  if (rule.allowedGroups.length > 0 && !subject.groups.some((g) => rule.allowedGroups.includes(g))) {
    throw new GatewayError('GW_PROTECTED_KEY', `Protected ${what}: ${pattern} allows only members of ${rule.allowedGroups.join(', ')}`);
  }
  if (rule.requiredLevel !== null) {
    const decision = await gw.access.check(subject, 'read', on.resource);
    if (!atLeast(decision.level, rule.requiredLevel)) {
      throw new GatewayError('GW_PROTECTED_KEY', `Protected ${what}: ${pattern} needs ${rule.requiredLevel}; you have ${decision.level} (${decision.reason})`);
    }
  }
}

async function resolved(gw: Gateway, kind: IdKind, value: string | undefined): Promise<ResolvedResource | undefined> {
  if (value === undefined) return undefined;
  const r = await gw.resolver.resolve(kind, value);
  return r.ok ? r.resources[0] : undefined;
}

function one(route: RouteSpec, input: ExtractInput, field: string): string | undefined {
  const r = readField(route, input, field);
  return r.ok ? r.values[0] : undefined;
}

async function keyTarget(gw: Gateway, route: RouteSpec, input: ExtractInput, owner: KeyOwner, keys: readonly string[]): Promise<KeyTarget | undefined> {
  switch (owner) {
    case 'model': {
      const model = await resolved(gw, 'model_name', one(route, input, 'name'));
      if (!model || (model.type !== 'registered_model' && model.type !== 'prompt')) return undefined;
      return { type: model.type, patternName: model.id, resource: model };
    }
    case 'version':
    case 'new-version': {
      const model = await resolved(gw, 'model_name', one(route, input, 'name'));
      if (!model || (model.type !== 'registered_model' && model.type !== 'prompt')) return undefined;
      const type = model.type === 'prompt' ? 'prompt_version' : 'model_version';
      const version = owner === 'version' ? one(route, input, 'version') : undefined;
      // A new version does not exist yet: its level is its model's.
      const resource: ResolvedResource = version === undefined ? model : { type, id: versionResourceId(model.id, version), name: versionResourceId(model.id, version), parent: model };
      return { type, patternName: model.id, resource };
    }
    case 'experiment': {
      const exp = await resolved(gw, 'experiment_id', one(route, input, 'experiment_id'));
      return exp ? { type: 'experiment', patternName: exp.name ?? exp.id, resource: exp } : undefined;
    }
    case 'run': {
      const runId = one(route, input, 'run_id') ?? one(route, input, 'run_uuid');
      const run = await resolved(gw, 'run_id', runId);
      if (!run) return undefined;
      return { type: 'run', patternName: run.parent?.name ?? run.parent?.id ?? run.id, resource: run };
    }
    case 'new-run': {
      const exp = await resolved(gw, 'experiment_id', one(route, input, 'experiment_id'));
      return exp ? { type: 'run', patternName: exp.name ?? exp.id, resource: exp } : undefined;
    }
    case 'new-model': {
      const name = one(route, input, 'name');
      if (name === undefined) return undefined;
      // The creator will hold MANAGE on it: only group conditions can refuse.
      const type = keys.includes(PROMPT_TAG) ? 'prompt' : 'registered_model';
      return { type, patternName: name, resource: { type, id: name, name } };
    }
    case 'new-experiment': {
      const name = one(route, input, 'name');
      return name === undefined ? undefined : { type: 'experiment', patternName: name, resource: { type: 'experiment', id: name, name } };
    }
  }
}
