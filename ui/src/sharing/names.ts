// Names for the resources grants and token scopes point at (they store ids): experiments are asked
// of MLflow through the gateway; models, prompts and endpoints are named by their id already.
import { useEffect, useState } from 'react';
import { graphql, mlflow } from '../api';

/** What MLflow says about an experiment id: its name (none when MLflow no longer has it) and whether it is deleted. */
export interface ResourceName {
  readonly name?: string;
  readonly deleted: boolean;
}

type Ref = { resource_type: string; resource_id: string };

/** Names by `<type>:<id>`; an id missing from the answer is not known (yet): show the id. */
export function useResourceNames(refs: readonly Ref[] | undefined): Record<string, ResourceName> {
  const [names, setNames] = useState<Record<string, ResourceName>>({});
  const ids = [...new Set((refs ?? []).filter((r) => r.resource_type === 'experiment').map((r) => r.resource_id))].sort().join(',');
  useEffect(() => {
    let live = true;
    const wanted = ids ? ids.split(',') : [];
    void experimentNames(wanted).then((found) => {
      if (live) setNames(Object.fromEntries(Object.entries(found).map(([id, n]) => [`experiment:${id}`, n])));
    });
    return () => {
      live = false;
    };
  }, [ids]);
  return names;
}

/** The name to show for a resource: MLflow's name, or the id when it has none. */
export const nameOf = (names: Record<string, ResourceName>, type: string, id: string): string => names[`${type}:${id}`]?.name ?? id;

// The gateway refuses more root fields than this in one GraphQL request (MAX_ROOT_FIELDS).
const PER_REQUEST = 50;

type Answer = { data?: Record<string, { experiment?: { name?: string; lifecycleStage?: string } | null } | null> };

/**
 * One GraphQL request per 50 ids (each id an aliased mlflowGetExperiment): it answers 200 for every
 * id, a deleted experiment with its name and stage, one MLflow no longer has as null. experiments/get
 * answers the latter with a 404, which the browser logs as an error on every page that names it.
 * Without GraphQL (MLflow 2.9) or when it is refused, one experiments/get per id.
 */
async function experimentNames(ids: readonly string[]): Promise<Record<string, ResourceName>> {
  const out: Record<string, ResourceName> = {};
  for (let start = 0; start < ids.length; start += PER_REQUEST) {
    const chunk = ids.slice(start, start + PER_REQUEST);
    try {
      const query = `query (${chunk.map((_, i) => `$id${i}: String`).join(', ')}) { ${chunk.map((_, i) => `e${i}: mlflowGetExperiment(input: { experimentId: $id${i} }) { experiment { name lifecycleStage } }`).join(' ')} }`;
      const res = await graphql<Answer>(query, Object.fromEntries(chunk.map((id, i) => [`id${i}`, id])));
      if (!res.data) throw new Error('no data in the GraphQL answer');
      chunk.forEach((id, i) => {
        const e = res.data?.[`e${i}`]?.experiment;
        out[id] = e?.name ? { name: e.name, deleted: e.lifecycleStage === 'deleted' } : { deleted: true };
      });
    } catch {
      await Promise.all(chunk.map(async (id) => {
        try {
          const res = await mlflow.get<{ experiment?: { name: string; lifecycle_stage?: string } }>(`experiments/get?experiment_id=${encodeURIComponent(id)}`);
          if (res.experiment) out[id] = { name: res.experiment.name, deleted: res.experiment.lifecycle_stage === 'deleted' };
        } catch {
          // Not found, or MLflow unreachable: shown by id.
        }
      }));
    }
  }
  return out;
}
