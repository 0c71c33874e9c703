// Which MLflow routes set or delete an alias or a tag key, and on what: the table protected-key
// rules are enforced from (src/permissions/protected-keys.ts). Keyed by RPC, so the /api and the
// /ajax-api twins of a route are covered by one row. Fields are read with the id extractor itself
// (src/mlflow/ids.ts): the same spellings MLflow accepts, and two different values refused.
import { extractIds, type ExtractInput, type RouteSpec } from '../mlflow/index.js';

/** What the written key belongs to, and where the request names it. */
export type KeyOwner =
  | 'model' // registered model or prompt named by `name`
  | 'version' // a version of it: `name` + `version`
  | 'experiment' // experiment_id
  | 'run' // run_id (run_uuid)
  | 'new-run' // runs/create: a run of experiment_id
  | 'new-model' // registered-models/create: name (a prompt when tagged so)
  | 'new-version' // model-versions/create: a version of name
  | 'new-experiment'; // experiments/create: name

export interface KeyWriteRoute {
  readonly target: 'alias' | 'tag';
  /** Dotted field of the key(s): `key`, `alias`, `tags[].key`. */
  readonly field: string;
  readonly owner: KeyOwner;
}

export const KEY_WRITES: Readonly<Record<string, KeyWriteRoute>> = {
  SetRegisteredModelTag: { target: 'tag', field: 'key', owner: 'model' },
  DeleteRegisteredModelTag: { target: 'tag', field: 'key', owner: 'model' },
  SetModelVersionTag: { target: 'tag', field: 'key', owner: 'version' },
  DeleteModelVersionTag: { target: 'tag', field: 'key', owner: 'version' },
  SetRegisteredModelAlias: { target: 'alias', field: 'alias', owner: 'model' },
  DeleteRegisteredModelAlias: { target: 'alias', field: 'alias', owner: 'model' },
  SetExperimentTag: { target: 'tag', field: 'key', owner: 'experiment' },
  DeleteExperimentTag: { target: 'tag', field: 'key', owner: 'experiment' },
  SetTag: { target: 'tag', field: 'key', owner: 'run' },
  DeleteTag: { target: 'tag', field: 'key', owner: 'run' },
  LogBatch: { target: 'tag', field: 'tags[].key', owner: 'run' },
  CreateRun: { target: 'tag', field: 'tags[].key', owner: 'new-run' },
  CreateRegisteredModel: { target: 'tag', field: 'tags[].key', owner: 'new-model' },
  CreateModelVersion: { target: 'tag', field: 'tags[].key', owner: 'new-version' },
  CreateExperiment: { target: 'tag', field: 'tags[].key', owner: 'new-experiment' },
};

export type FieldRead = { ok: true; values: string[] } | { ok: false; code: 'GW_AMBIGUOUS_ID' | 'GW_MISSING_ID' | 'GW_BAD_BODY'; message: string };

/** The values of one request field, read as MLflow's handler reads it (auto: query for GET, else body). */
export function readField(route: RouteSpec, input: ExtractInput, field: string): FieldRead {
  const probe: RouteSpec = {
    ...route,
    requirement: { kind: 'resource', resource: 'experiment', action: 'read', ids: [{ kind: 'experiment_id', from: 'auto', field, optional: true }] },
  };
  const r = extractIds(probe, input, { deferToMlflow: true });
  // The extractor insists that a resource route names something; an absent key field is just none.
  if (!r.ok) return r.code === 'GW_MISSING_ID' ? { ok: true, values: [] } : r;
  // A key field of the wrong shape (tags that are not a list) in a protobuf-parsed body: MLflow's
  // parser refuses the request or drops the field (and run creation's attribution rewrites `tags`
  // into a list of its own), so no key is written from it — MLflow gives its own answer.
  return { ok: true, values: r.ids.flatMap((x) => [...x.values]) };
}

/** Whether the route's request must be read for protected-key checks. */
export function writesKeys(rpc: string | undefined): boolean {
  return rpc !== undefined && Object.prototype.hasOwnProperty.call(KEY_WRITES, rpc);
}
