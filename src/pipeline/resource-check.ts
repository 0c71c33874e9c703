import { GatewayError } from '../errors/index.js';
import { versionResourceId, type ExtractedId, type ExtractedReference, type IdKind } from '../mlflow/index.js';
import { randomUUID } from 'node:crypto';
import { mlflowCall, type MlflowErrorAnswer, type Resolution, type ResolvedResource } from '../mlflow/resolver.js';
import type { Action, Decision, Subject } from '../policy/index.js';
import type { Gateway } from './gateway.js';
import { referenceTargets, type ReferenceLookup } from './reference-targets.js';

/**
 * Checks `action` on every resource the request names: each id is resolved to the resource that
 * owns it (a run to its experiment, a model version to its model…) and the policy decides per
 * resource. One refusal refuses the request. Returns the decision summary for the access log.
 *
 * Two kinds of names (issue #13 §1, #14 cause 4):
 *   primary ids (the route requirement's): one that MLflow does not know is passed on, so that the
 *     client gets MLflow's own answer (404 RESOURCE_DOES_NOT_EXIST, 400 for a malformed id) —
 *     after a fresh lookup, so a cached "not found" cannot let a request through to an object
 *     created since. Exception: a write naming a guessable id (sequential experiment ids, chosen
 *     names) that MLflow reports missing keeps the gateway's own 404, because forwarding it would
 *     race whoever creates that object next; the client gets MLflow's own not-found answer to the
 *     lookup instead (notFoundWrite).
 *   references (the route's references column): one that exists must allow its action; one that
 *     does not exist here is MLflow's business (a model version whose run lives on another server),
 *     except, again, attaching (non-read) to a guessable one, which is refused (403).
 *
 * Both exceptions fall away when MLflow refuses the request before any store call (`refusedFirst`:
 * a field the route's handler requires is missing, see RouteSpec.requires): it cannot land in
 * anything, so it is forwarded and the client gets MLflow's validation message.
 *
 * Administrators without token limits skip resolution entirely (they may do anything, and a
 * lookup per call would only cost them latency).
 */
export async function checkResources(
  gw: Gateway, subject: Subject, ids: readonly ExtractedId[], references: readonly ExtractedReference[] = [], version?: string, refusedFirst?: string,
): Promise<string> {
  if (subject.isAdmin && !subject.scope && !subject.maxLevel) return 'allow: administrator';
  const primary: ReferenceLookup[] = ids.flatMap((id) => id.values.map((value) => ({ kind: id.kind, value, action: id.action, from: id.from })));
  const referenced = await referenceTargets(gw, references);
  if (primary.length === 0 && referenced.length === 0) return 'allow: nothing named';

  const resolved = await Promise.all([
    ...primary.map(async (l) => ({ l, primary: true, resolution: await resolvePrimary(gw, l) })),
    ...referenced.map(async (l) => ({ l, primary: false, resolution: l.unsafe ? unsafe(l.unsafe) : await gw.resolver.resolve(l.kind, l.value) })),
  ]);

  const checks: { action: Action; resource: ResolvedResource; named: Named }[] = [];
  const passed: string[] = [];
  for (const { l, primary: isPrimary, resolution } of resolved) {
    if (resolution.ok) {
      // A route on one model version checks that version (a child of its model or prompt).
      for (const resource of resolution.resources) {
        checks.push({
          action: l.action,
          resource: isPrimary && version !== undefined && l.kind === 'model_name' ? asVersion(resource, version) : resource,
          named: { kind: l.kind, value: l.value, from: isPrimary ? undefined : l.from },
        });
      }
      continue;
    }
    switch (resolution.reason) {
      case 'not_found':
        if (refusedFirst !== undefined) {
          passed.push(`unknown ${l.from} (MLflow refuses the request first: no ${refusedFirst})`);
          continue;
        }
        if (!isPrimary && !passesUnknown(l, resolution)) {
          // Attaching to a guessable object that does not exist yet (an artifact tree of the next
          // experiment id) would attach to whoever creates it next.
          throw new GatewayError('GW_DENIED', `Only administrators may ${l.action} ${describeKind(l.kind)} '${l.value}' (referenced by ${l.from}) before it exists`, { detail: resolution.message });
        }
        if (!isPrimary || passesUnknown(l, resolution)) {
          passed.push(`${isPrimary ? 'unknown' : 'unknown reference'} ${l.from}`);
          continue;
        }
        throw notFoundWrite(l, resolution);
      case 'admin_only':
        // A value MLflow refuses for everyone (an artifact path with `..`): its own answer, not a
        // refusal that would suggest an administrator could do it. The request is not forwarded.
        if (isPrimary && resolution.mlflowAnswer) throw await invalidPath(gw, resolution.mlflowAnswer, resolution.message);
        throw new GatewayError('GW_DENIED', `Only administrators may ${l.action} ${describeKind(l.kind)} '${l.value}'${isPrimary ? '' : ` (referenced by ${l.from})`}`, { detail: resolution.message });
      case 'upstream_error':
        throw new GatewayError('GW_UPSTREAM_UNAVAILABLE', 'MLflow could not be asked who owns the requested object; try again shortly', { detail: resolution.message });
    }
  }

  const decisions = await Promise.all(checks.map(async (c) => ({ ...c, decision: await gw.access.check(subject, c.action, c.resource) })));
  const denied = decisions.find((d) => !d.decision.allow);
  if (denied) throw denial(denied.action, denied.named, denied.resource, denied.decision);
  const reasons = [...new Set(decisions.map((d) => d.decision.reason)), ...new Set(passed.map((p) => `${p}: MLflow answers`))];
  return `allow: ${reasons.join('; ')}`;
}

/** Ids anyone can predict or choose: a missing one may be created by someone else at any moment. */
const GUESSABLE: ReadonlySet<IdKind> = new Set(['experiment_id', 'experiment_name', 'model_name', 'endpoint_name', 'workspace_name', 'artifact_path']);

/** A primary id MLflow reported missing: forward (MLflow answers) unless that would race a creation. */
function passesUnknown(l: ReferenceLookup, resolution: Extract<Resolution, { ok: false }>): boolean {
  if (resolution.malformed) return true; // MLflow refuses the id itself: it can never name an object
  return l.action === 'read' || !GUESSABLE.has(l.kind);
}

/** Kinds whose lookup asks MLflow for the very object the write names, so MLflow's not-found answer is the write's. */
const LOOKED_UP_ITSELF: ReadonlySet<IdKind> = new Set(['experiment_id', 'experiment_name', 'model_name', 'endpoint_name']);

/**
 * The refusal of a write naming a guessable object MLflow does not know (issue #14 cause 4). It
 * carries MLflow's own answer to the gateway's fresh lookup of that object ("No Experiment with
 * id=42 exists", RESOURCE_DOES_NOT_EXIST), which is what MLflow answers the write itself: its
 * handlers load the object first, with the same store call. This discloses nothing: the object
 * does not exist on this server, and any caller learns exactly that by reading the id (reads of
 * unknown ids are passed to MLflow, which answers the same). It is not the write's answer
 * forwarded: the write never reaches MLflow, so it cannot land in an object someone else creates
 * between the lookup and the write (the race the refusal exists for). Artifact paths and
 * workspaces keep the gateway's message: their lookup is of the experiment or workspace behind
 * the name, not of what the write names, and MLflow's answer to the write would be another.
 */
function notFoundWrite(l: ReferenceLookup, resolution: Extract<Resolution, { ok: false }>): GatewayError {
  const answer = LOOKED_UP_ITSELF.has(l.kind) ? resolution.mlflowAnswer : undefined;
  if (answer) return new GatewayError('GW_RESOURCE_NOT_FOUND', answer.message, { status: answer.status, ...(answer.body ? { mlflowBody: answer.body, ...(answer.text ? { mlflowText: answer.text } : {}) } : {}), detail: `${l.action} on unknown ${describeKind(l.kind)} '${l.value}': refused before MLflow (guessable id); MLflow's answer to the lookup relayed` });
  return new GatewayError('GW_RESOURCE_NOT_FOUND', `No ${describeKind(l.kind)} '${l.value}' exists`, { detail: resolution.message });
}

/**
 * MLflow's answer to an artifact path it refuses for everyone (validate_path_is_safe: `..`, `#`,
 * absolute), taken from MLflow itself so that its body is the server version's own: MLflow is
 * asked to list a path with the same defect that names nothing (`gateway-validation-probe-<uuid>/../x`),
 * never the caller's path. If MLflow does not refuse the probe (or cannot be asked), the gateway's
 * rendering of MLflow's answer is given instead; the caller's path is refused either way.
 */
async function invalidPath(gw: Gateway, fallback: MlflowErrorAnswer, detail: string): Promise<GatewayError> {
  const r = await mlflowCall(gw.config.upstreamUrl, '/api/2.0/mlflow-artifacts/artifacts', {
    query: { path: `gateway-validation-probe-${randomUUID()}/../x` }, timeoutMs: gw.config.upstreamTimeout * 1000,
  });
  const body = r.kind === 'http_error' && r.status === 400 && r.errorCode === fallback.errorCode && isRecord(r.json) ? r.json : undefined;
  return new GatewayError('GW_INVALID_PATH', typeof body?.message === 'string' ? body.message : fallback.message, {
    status: fallback.status, detail, ...(body ? { mlflowBody: body, ...(r.kind === 'http_error' && r.text ? { mlflowText: r.text } : {}) } : {}),
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Primary ids: a cached "not found" is confirmed with MLflow before the request is passed on. */
async function resolvePrimary(gw: Gateway, l: ReferenceLookup): Promise<Resolution> {
  const first = await gw.resolver.resolve(l.kind, l.value);
  if (first.ok || first.reason !== 'not_found') return first;
  return gw.resolver.resolve(l.kind, l.value, { fresh: true });
}

function unsafe(reason: string): Resolution {
  return { ok: false, reason: 'admin_only', message: reason };
}

/** A model's (or prompt's) version as the child the policy decides on: its own grants first, else the model's. */
function asVersion(model: ResolvedResource, version: string): ResolvedResource {
  const type = model.type === 'prompt' ? 'prompt_version' : model.type === 'registered_model' ? 'model_version' : undefined;
  if (type === undefined) return model;
  const id = versionResourceId(model.id, version);
  return { type, id, name: id, parent: model };
}

/** What the caller sent that led to a check: the id or name, and for a reference the field it came from. */
interface Named { kind: string; value: string; from: string | undefined }

/**
 * A refusal names only what the caller sent (the id or name from the request), never what the
 * gateway looked up: the experiment a run or trace belongs to, its name, the model of a version,
 * nor the grant or rule that decided (experiment ids are sequential: naming the experiment would
 * list every experiment name on the server). The full reason is the error's detail, which goes to
 * the access log and administrators' view of the audit log only.
 */
function denial(action: Action, named: Named, resource: ResolvedResource, decision: Decision): GatewayError {
  const what = describeResource(resource);
  const sent = `${describeKind(named.kind)} '${named.value}'${named.from ? ` (referenced by ${named.from})` : ''}`;
  return new GatewayError('GW_DENIED', `Permission denied: ${action} on ${sent} needs ${decision.required}; you have ${decision.level}`, {
    detail: `${action} on ${what} needs ${decision.required}; ${decision.level} (${decision.reason})`,
    // What the UI's "ask for access" needs — only when it is what the caller named: a looked-up
    // parent (the experiment of a dataset, say) is not the caller's to learn, not even by id.
    ...(resource.id === named.value ? { denied: { resource_type: resource.type, resource_id: resource.id, needed: decision.required } } : {}),
  });
}

/** For the detail only: the resource with its name, and the chain of parents that decide for it. */
function describeResource(resource: ResolvedResource): string {
  const self = `${resource.type.replace('_', ' ')} ${resource.name && resource.name !== resource.id ? `'${resource.name}' (${resource.id})` : resource.id}`;
  return resource.parent ? `${self} in ${describeResource(resource.parent)}` : self;
}

function describeKind(kind: string): string {
  return kind.replace(/_id$|_name$/, '').replace(/_/g, ' ');
}
