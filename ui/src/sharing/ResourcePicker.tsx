// Picks a resource by name: experiments, models and prompts are searched in MLflow through the
// gateway (which filters the answers to what the administrator may read: everything); other
// types are named by their id.
import { useEffect, useState } from 'react';
import { mlflow } from '../api';
import { Field, Spinner } from '../components/ui';

export interface PickedResource {
  type: string;
  id: string;
  name: string;
}

export const PICKABLE = [
  ['experiment', 'Experiment'], ['registered_model', 'Model'], ['prompt', 'Prompt'], ['gateway_endpoint', 'AI-gateway endpoint'],
] as const;

const quote = (s: string) => s.replace(/'/g, "''");

async function search(type: string, q: string): Promise<PickedResource[]> {
  if (type === 'experiment') {
    const res = await mlflow.post<{ experiments?: { experiment_id: string; name: string }[] }>('experiments/search', {
      max_results: 20, ...(q ? { filter: `name ILIKE '%${quote(q)}%'` } : {}), order_by: ['last_update_time DESC'],
    });
    return (res.experiments ?? []).map((e) => ({ type, id: e.experiment_id, name: e.name }));
  }
  if (type === 'registered_model' || type === 'prompt') {
    const prompt = "tags.`mlflow.prompt.is_prompt` = 'true'";
    const byName = q ? `name ILIKE '%${quote(q)}%'` : '';
    const filter = type === 'prompt' ? [prompt, byName].filter(Boolean).join(' AND ') : byName;
    const res = await mlflow.get<{ registered_models?: { name: string }[] }>(`registered-models/search?${new URLSearchParams({ max_results: '20', ...(filter ? { filter } : {}) })}`);
    return (res.registered_models ?? []).map((m) => ({ type, id: m.name, name: m.name }));
  }
  return q ? [{ type, id: q, name: q }] : [];
}

export function ResourcePicker({ onPick, picked }: { onPick: (r: PickedResource | undefined) => void; picked: PickedResource | undefined }) {
  const [type, setType] = useState<string>('experiment');
  const [q, setQ] = useState('');
  const [found, setFound] = useState<PickedResource[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    setFound(undefined);
    setError(undefined);
    const t = setTimeout(() => {
      search(type, q.trim()).then((r) => live && setFound(r), (e: Error) => live && setError(e.message));
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [type, q]);
  return (
    <div className="picker">
      <Field label="Resource type">
        <select value={type} onChange={(e) => { setType(e.target.value); onPick(undefined); }}>{PICKABLE.map(([v, l]) => <option key={v} value={v}>{l}</option>)}</select>
      </Field>
      <Field label={type === 'gateway_endpoint' ? 'Endpoint name' : 'Search by name'}>
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="name contains…" />
      </Field>
      <div className="picker-results" role="listbox" aria-label="Matching resources">
        {error && <span className="muted">{error}</span>}
        {!found && !error && <Spinner label="Searching…" />}
        {found && found.length === 0 && <span className="muted">Nothing matches.</span>}
        {found?.map((r) => (
          <button key={`${r.type}:${r.id}`} type="button" role="option" aria-selected={picked?.type === r.type && picked.id === r.id}
            className={`picker-item${picked?.type === r.type && picked.id === r.id ? ' selected' : ''}`} onClick={() => onPick(r)}>
            {r.name}{r.type === 'experiment' && <span className="muted"> · id {r.id}</span>}
          </button>
        ))}
      </div>
    </div>
  );
}
