import { GatewayError } from '../errors/index.js';
import type { ExtractedId } from '../mlflow/index.js';
import type { ResolvedResource } from '../mlflow/resolver.js';
import type { Action, Decision, Subject } from '../policy/index.js';
import type { Gateway } from './gateway.js';

/**
 * Checks `action` on every resource the request names: each id is resolved to the resource that
 * owns it (a run to its experiment, a model version to its model…) and the policy decides per
 * resource. One refusal refuses the request. Returns the decision summary for the access log.
 *
 * Administrators without token limits skip resolution entirely (they may do anything, and a
 * lookup per call would only cost them latency). An id MLflow does not know is answered with
 * MLflow's own RESOURCE_DOES_NOT_EXIST, because clients depend on it (set_experiment creates the
 * experiment after a 404 from get-by-name).
 */
export async function checkResources(gw: Gateway, subject: Subject, ids: readonly ExtractedId[]): Promise<string> {
  if (subject.isAdmin && !subject.scope && !subject.maxLevel) return 'allow: administrator';
  const lookups = ids.flatMap((id) => id.values.map((value) => ({ id, value })));
  if (lookups.length === 0) return 'allow: nothing named';
  const resolved = await Promise.all(lookups.map(async ({ id, value }) => ({ id, value, resolution: await gw.resolver.resolve(id.kind, value) })));

  const checks: { action: Action; resource: ResolvedResource }[] = [];
  for (const { id, value, resolution } of resolved) {
    if (resolution.ok) {
      for (const resource of resolution.resources) checks.push({ action: id.action, resource });
      continue;
    }
    switch (resolution.reason) {
      case 'not_found':
        throw new GatewayError('GW_RESOURCE_NOT_FOUND', `No ${describeKind(id.kind)} '${value}' exists`, { detail: resolution.message });
      case 'admin_only':
        throw new GatewayError('GW_DENIED', `Only administrators may ${id.action} ${describeKind(id.kind)} '${value}'`, { detail: resolution.message });
      case 'upstream_error':
        throw new GatewayError('GW_UPSTREAM_UNAVAILABLE', 'MLflow could not be asked who owns the requested object; try again shortly', { detail: resolution.message });
    }
  }

  const decisions = await Promise.all(checks.map(async (c) => ({ ...c, decision: await gw.access.check(subject, c.action, c.resource) })));
  const denied = decisions.find((d) => !d.decision.allow);
  if (denied) throw denial(denied.action, denied.resource, denied.decision);
  return `allow: ${[...new Set(decisions.map((d) => d.decision.reason))].join('; ')}`;
}

function denial(action: Action, resource: ResolvedResource, decision: Decision): GatewayError {
  const what = `${resource.type.replace('_', ' ')} ${resource.name ? `'${resource.name}' (${resource.id})` : resource.id}`;
  return new GatewayError('GW_DENIED', `Permission denied: ${action} on ${what} needs ${decision.required}; you have ${decision.level} (${decision.reason})`);
}

function describeKind(kind: string): string {
  return kind.replace(/_id$|_name$/, '').replace(/_/g, ' ');
}
