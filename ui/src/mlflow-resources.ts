// Finding MLflow resources by name through the gateway's MLflow routes (answers are filtered to
// what the signed-in user may read), for pickers and the resource pages.
import { BASE, mlflow } from './api';

const ajax3 = {
  get: async <T>(path: string): Promise<T> => {
    const res = await fetch(`${BASE}/ajax-api/3.0/mlflow/${path}`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    const json = (await res.json().catch(() => ({}))) as T & { message?: string };
    if (!res.ok) throw new Error(json.message ?? `Request failed (${res.status})`);
    return json;
  },
};

export interface Found {
  type: string;
  id: string;
  name: string;
  detail?: string;
}

/** The resource types a picker can search by name. */
export const PICKABLE = ['experiment', 'registered_model', 'prompt', 'gateway_endpoint', 'workspace'] as const;
export type Pickable = (typeof PICKABLE)[number];

const PROMPT_TAG = "tags.`mlflow.prompt.is_prompt` = 'true'";
const like = (q: string) => `'%${q.replace(/'/g, "\\'")}%'`;

export async function findExperiments(q: string, deleted = false): Promise<Found[]> {
  const res = await mlflow.post<{ experiments?: { experiment_id: string; name: string }[] }>('experiments/search', {
    max_results: 50, ...(q ? { filter: `name ILIKE ${like(q)}` } : {}), ...(deleted ? { view_type: 'DELETED_ONLY' } : {}),
  });
  return (res.experiments ?? []).map((e) => ({ type: 'experiment', id: e.experiment_id, name: e.name, detail: `id ${e.experiment_id}` }));
}

export async function findModels(q: string, prompts: boolean): Promise<Found[]> {
  const filter = [prompts ? PROMPT_TAG : '', q ? `name ILIKE ${like(q)}` : ''].filter(Boolean).join(' AND ');
  const res = await mlflow.get<{ registered_models?: { name: string; description?: string; tags?: { key: string; value: string }[] }[] }>(
    `registered-models/search?${new URLSearchParams({ max_results: '50', ...(filter ? { filter } : {}) }).toString()}`,
  );
  const isPrompt = (m: { tags?: { key: string; value: string }[] }) => (m.tags ?? []).some((t) => t.key === 'mlflow.prompt.is_prompt' && t.value === 'true');
  return (res.registered_models ?? []).filter((m) => isPrompt(m) === prompts)
    .map((m) => ({ type: prompts ? 'prompt' : 'registered_model', id: m.name, name: m.name, ...(m.description ? { detail: m.description } : {}) }));
}

export async function findEndpoints(q: string): Promise<Found[]> {
  const res = await ajax3.get<{ endpoints?: { endpoint_id: string; name?: string; model_mappings?: unknown[] }[] }>('gateway/endpoints/list');
  return (res.endpoints ?? []).map((e) => ({ type: 'gateway_endpoint', id: e.endpoint_id, name: e.name ?? e.endpoint_id, detail: `id ${e.endpoint_id}` }))
    .filter((e) => e.name.toLowerCase().includes(q.toLowerCase()));
}

export async function findWorkspaces(q: string): Promise<Found[]> {
  const res = await ajax3.get<{ workspaces?: { name: string; description?: string }[] }>('workspaces');
  return (res.workspaces ?? []).map((w) => ({ type: 'workspace', id: w.name, name: w.name, ...(w.description ? { detail: w.description } : {}) }))
    .filter((w) => w.name.toLowerCase().includes(q.toLowerCase()));
}

export function find(type: Pickable, q: string): Promise<Found[]> {
  switch (type) {
    case 'experiment': return findExperiments(q);
    case 'registered_model': return findModels(q, false);
    case 'prompt': return findModels(q, true);
    case 'gateway_endpoint': return findEndpoints(q);
    case 'workspace': return findWorkspaces(q);
  }
}
