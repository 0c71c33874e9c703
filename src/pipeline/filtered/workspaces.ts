import { mlflowCall } from '../../mlflow/resolver.js';
import type { Resource } from '../../policy/index.js';
import { isObject, listField, withList } from './json.js';
import { keepAllowed } from './readable.js';
import { noteDecision, type FilterRequest } from './request.js';
import { relayUpstreamFailure, sendJson } from './send.js';

/**
 * ListWorkspaces (GET workspaces): the workspaces the caller may read. The list is small and
 * unpaginated (workspace_store.list_workspaces): one upstream call, one memoised check each.
 * Without --enable-workspaces MLflow refuses the call; that refusal is relayed.
 */
export async function serveListWorkspaces(fr: FilterRequest): Promise<true> {
  const r = await mlflowCall(fr.gw.config.upstreamUrl, '/api/3.0/mlflow/workspaces', fr.upstreamCall);
  if (r.kind !== 'ok') return relayUpstreamFailure(fr, r);
  const workspaces = listField(r.json, 'workspaces');
  const kept = await keepAllowed(fr.access, 'read', workspaces, (w): Resource | undefined =>
    isObject(w) && typeof w.name === 'string' && w.name !== '' ? { type: 'workspace', id: w.name, name: w.name } : undefined,
  );
  noteDecision(fr, `workspaces (${kept.length} of ${workspaces.length})`);
  return sendJson(fr, withList(r.json, 'workspaces', kept));
}
