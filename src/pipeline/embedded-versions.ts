import { GatewayError } from '../errors/index.js';
import { field, isPromptTagged } from '../mlflow/resolver.js';
import type { GrantLevel, Resource, Subject } from '../policy/index.js';
import type { Gateway } from './gateway.js';
import type { RequestContext } from './context.js';

// Answers that embed registered-model (or prompt) versions, redacted to the versions the caller
// may read (issue #16). The route was authorized on the model; a version is a child with grants of
// its own, so a DENY (or NO_PERMISSIONS) on one version must hide it wherever MLflow embeds it:
//   GetRegisteredModel, RenameRegisteredModel, UpdateRegisteredModel  registered_model.latest_versions
//   SearchRegisteredModels (forwarded or served page by page)          registered_models[].latest_versions
//   GetLatestVersions                                                  model_versions
//   GetModelVersionByAlias (the version is known only from the answer) model_version → refused when unreadable
// MLflow 2.x and 3.x return latest_versions the same way (one per stage; 3.x only "None" stage).
// The redaction runs only for a non-administrator who holds a grant or a rule that takes something
// away on model or prompt versions: without one, every version of a readable model is readable.

/** Rewrites MLflow's 2xx JSON answer; throwing a GatewayError refuses the request instead. */
export type ResponseRedaction = (json: unknown) => Promise<unknown>;

const EMBEDDING_RPCS = new Set(['GetRegisteredModel', 'RenameRegisteredModel', 'UpdateRegisteredModel', 'SearchRegisteredModels', 'GetLatestVersions', 'GetModelVersionByAlias']);

/** True when a version of a readable model may be unreadable for this subject (a DENY / NO_PERMISSIONS on versions). */
export async function versionsMayBeHidden(gw: Gateway, subject: Subject): Promise<boolean> {
  if (subject.isAdmin && !subject.scope && !subject.maxLevel) return false;
  const takesAway = (l: GrantLevel) => l === 'DENY' || l === 'NO_PERMISSIONS';
  for (const type of ['model_version', 'prompt_version'] as const) {
    const [grants, rules] = await Promise.all([gw.store.grants.resourceIdsWithGrants(type, subject.userId, subject.groups), gw.store.grants.patterns(type)]);
    if (grants.some((g) => takesAway(g.level))) return true;
    if (rules.some((r) => takesAway(r.level) && (r.principalType === 'user' ? r.principal === subject.userId : subject.groups.includes(r.principal)))) return true;
  }
  return false;
}

/** The version as a child resource: `<name>/<version>` under its model or prompt. */
export function versionResource(v: unknown, prompt: boolean): Resource | undefined {
  const name = field(v, 'name');
  const version = field(v, 'version');
  if (typeof name !== 'string' || (typeof version !== 'string' && typeof version !== 'number')) return undefined;
  const id = `${name}/${String(version)}`;
  return { type: prompt ? 'prompt_version' : 'model_version', id, name: id, parent: { type: prompt ? 'prompt' : 'registered_model', id: name, name } };
}

type Allowed = (r: Resource) => Promise<boolean>;

async function readableVersions(list: unknown, prompt: (v: unknown) => boolean, allowed: Allowed): Promise<unknown[] | undefined> {
  if (!Array.isArray(list)) return undefined;
  const out: unknown[] = [];
  for (const v of list) {
    const r = versionResource(v, prompt(v));
    if (r && (await allowed(r))) out.push(v); // a version without name/version names nothing to decide on: dropped
  }
  return out;
}

/** A registered model (or prompt) with latest_versions kept to the readable ones; the same object when nothing changes. */
export async function redactModel(model: unknown, allowed: Allowed): Promise<unknown> {
  if (typeof model !== 'object' || model === null || Array.isArray(model)) return model;
  const m = model as Record<string, unknown>;
  const prompt = isPromptTagged(m.tags);
  const key = 'latest_versions' in m ? 'latest_versions' : 'latestVersions' in m ? 'latestVersions' : undefined;
  if (!key) return model;
  const kept = await readableVersions(m[key], () => prompt, allowed);
  if (!kept || kept.length === (m[key] as unknown[]).length) return model;
  const out: Record<string, unknown> = { ...m };
  // protobuf JSON omits an empty list; so does the gateway.
  if (kept.length > 0) out[key] = kept;
  else delete out[key];
  return out;
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function redactionFor(rpc: string, allowed: Allowed): ResponseRedaction | undefined {
  if (!EMBEDDING_RPCS.has(rpc)) return undefined;
  return async (json) => {
    const body = asRecord(json);
    if (!body) return json;
    switch (rpc) {
      case 'SearchRegisteredModels': {
        const list = body.registered_models;
        if (!Array.isArray(list)) return json;
        return { ...body, registered_models: await Promise.all(list.map((m) => redactModel(m, allowed))) };
      }
      case 'GetLatestVersions': {
        const kept = await readableVersions(body.model_versions, (v) => isPromptTagged(field(v, 'tags')), allowed);
        if (!kept) return json;
        const out: Record<string, unknown> = { ...body };
        if (kept.length > 0) out.model_versions = kept;
        else delete out.model_versions;
        return out;
      }
      case 'GetModelVersionByAlias': {
        const v = body.model_version;
        const r = versionResource(v, isPromptTagged(field(v, 'tags')));
        if (r && !(await allowed(r))) throw new GatewayError('GW_DENIED', `Permission denied: you may not read version ${String(field(v, 'version'))} of '${String(field(v, 'name'))}'`);
        return json;
      }
      default:
        return 'registered_model' in body ? { ...body, registered_model: await redactModel(body.registered_model, allowed) } : json;
    }
  };
}

/** Sets ctx.redactResponse for an embedding RPC when some version may be hidden from this subject. */
export async function prepareRedaction(gw: Gateway, ctx: RequestContext, subject: Subject, rpc: string | undefined): Promise<void> {
  if (rpc === undefined || !EMBEDDING_RPCS.has(rpc) || !(await versionsMayBeHidden(gw, subject))) return;
  const redact = redactionFor(rpc, async (r) => (await gw.access.check(subject, 'read', r)).allow);
  if (redact) ctx.redactResponse = redact;
}
