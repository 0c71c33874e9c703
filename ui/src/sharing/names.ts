// Names for the resources grants point at (grants store ids): experiments are asked of MLflow
// through the gateway; models, prompts and endpoints are named by their id already.
import { useEffect, useState } from 'react';
import { mlflow, type Grant } from '../api';

export function useResourceNames(grants: readonly Grant[] | undefined): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const ids = [...new Set((grants ?? []).filter((g) => g.resource_type === 'experiment').map((g) => g.resource_id))].sort().join(',');
  useEffect(() => {
    let live = true;
    const wanted = ids ? ids.split(',') : [];
    void Promise.all(wanted.map(async (id) => {
      try {
        const res = await mlflow.get<{ experiment?: { name: string } }>(`experiments/get?experiment_id=${encodeURIComponent(id)}`);
        return [id, res.experiment?.name] as const;
      } catch {
        return [id, undefined] as const; // deleted, or MLflow unreachable: shown by id
      }
    })).then((pairs) => {
      if (live) setNames(Object.fromEntries(pairs.filter((p): p is readonly [string, string] => p[1] !== undefined).map(([id, n]) => [`experiment:${id}`, n])));
    });
    return () => {
      live = false;
    };
  }, [ids]);
  return names;
}

export const TYPE_LABEL: Record<string, string> = {
  experiment: 'experiment', registered_model: 'model', prompt: 'prompt', gateway_endpoint: 'endpoint', model_version: 'model version',
  prompt_version: 'prompt version', run: 'run', trace: 'trace', logged_model: 'logged model', workspace: 'workspace',
  gateway_secret: 'secret', gateway_model_definition: 'model definition',
};
