// Which routes act on ONE registered-model (or prompt) version, and where MLflow reads its number.
// The route table names the model (`name`), which the resolver turns into a registered_model or a
// prompt; with the version read here, the authorize step checks the version as a child
// (model_version / prompt_version `<name>/<version>`), so a grant on one version decides for it.
import { extractIds, type ExtractInput } from './ids.js';
import type { RouteSpec } from './types.js';

/** RPC → how the version is read (MLflow's handlers read `version` beside `name`, by the usual auto rule). */
const VERSION_ROUTES: Readonly<Record<string, 'auto' | 'query'>> = {
  GetModelVersion: 'auto',
  UpdateModelVersion: 'auto',
  DeleteModelVersion: 'auto',
  TransitionModelVersionStage: 'auto',
  GetModelVersionDownloadUri: 'auto',
  SetModelVersionTag: 'auto',
  DeleteModelVersionTag: 'auto',
  serve_model_version_artifact: 'query',
};

export type VersionRef = { ok: true; version: string | undefined } | { ok: false; code: 'GW_AMBIGUOUS_ID' | 'GW_MISSING_ID' | 'GW_BAD_BODY'; message: string };

/**
 * The version number the request names, when its route acts on one version; undefined otherwise.
 * Read with the id extractor itself (same spellings, same refusal of two different values).
 */
export function versionOf(route: RouteSpec, input: ExtractInput): VersionRef {
  const from = route.rpc === undefined ? undefined : VERSION_ROUTES[route.rpc];
  if (from === undefined) return { ok: true, version: undefined };
  const probe: RouteSpec = {
    ...route,
    requirement: { kind: 'resource', resource: 'registered_model', action: 'read', ids: [{ kind: 'model_name', from, field: 'version', optional: true }] },
  };
  const r = extractIds(probe, input);
  if (!r.ok) return r.code === 'GW_MISSING_ID' ? { ok: true, version: undefined } : r;
  const values = r.ids[0]?.values ?? [];
  if (values.length > 1) return { ok: false, code: 'GW_AMBIGUOUS_ID', message: 'The request names more than one model version' };
  return { ok: true, version: values[0] };
}

/** The grant id of a version: `<model or prompt name>/<version>` (model names may contain `/`; the version never does). */
export function versionResourceId(name: string, version: string): string {
  return `${name}/${version}`;
}
