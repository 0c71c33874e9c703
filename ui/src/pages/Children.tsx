// What is inside an experiment (runs, logged models, traces) or a model / prompt (its versions),
// each with its own Access dialog: a grant on a child decides for that child alone; without one,
// the parent's access applies.
import { useState } from 'react';
import { BASE, mlflow } from '../api';
import { Button, Dialog, Empty, ErrorBox, Spinner, time } from '../components/ui';
import type { Found } from '../mlflow-resources';
import { useLoad } from '../use-load';
import { ShareDialog, type SharedResource } from './ShareDialog';

interface Child { type: string; id: string; name: string; detail: string }

async function ajax<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${BASE}/ajax-api/${path}`, {
    method, credentials: 'same-origin',
    headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json().catch(() => ({}))) as T & { message?: string };
  if (!res.ok) throw new Error(json.message ?? `Request failed (${res.status})`);
  return json;
}

const stamp = (v: unknown) => (v === undefined || v === null ? '' : time(new Date(Number(v)).toISOString()));

async function runs(experimentId: string): Promise<Child[]> {
  const res = await mlflow.post<{ runs?: { info: { run_id: string; run_name?: string; status?: string; start_time?: number } }[] }>('runs/search', { experiment_ids: [experimentId], max_results: 100 });
  return (res.runs ?? []).map((r) => ({ type: 'run', id: r.info.run_id, name: r.info.run_name ?? r.info.run_id, detail: `${r.info.status ?? ''} ${stamp(r.info.start_time)}` }));
}
async function loggedModels(experimentId: string): Promise<Child[]> {
  const res = await ajax<{ models?: { info: { model_id: string; name?: string; creation_timestamp_ms?: number } }[] }>('POST', '2.0/mlflow/logged-models/search', { experiment_ids: [experimentId], max_results: 100 });
  return (res.models ?? []).map((m) => ({ type: 'logged_model', id: m.info.model_id, name: m.info.name ?? m.info.model_id, detail: stamp(m.info.creation_timestamp_ms) }));
}
async function traces(experimentId: string): Promise<Child[]> {
  const res = await ajax<{ traces?: { request_id: string; timestamp_ms?: number; status?: string }[] }>('GET', `2.0/mlflow/traces?${new URLSearchParams({ experiment_ids: experimentId, max_results: '100' }).toString()}`);
  return (res.traces ?? []).map((t) => ({ type: 'trace', id: t.request_id, name: t.request_id, detail: `${t.status ?? ''} ${stamp(t.timestamp_ms)}` }));
}
async function versions(parent: Found): Promise<Child[]> {
  const filter = `name='${parent.id.replace(/'/g, "\\'")}'`;
  const res = await mlflow.get<{ model_versions?: { name: string; version: string; current_stage?: string; creation_timestamp?: number; aliases?: string[] }[] }>(`model-versions/search?${new URLSearchParams({ filter, max_results: '200' }).toString()}`);
  const type = parent.type === 'prompt' ? 'prompt_version' : 'model_version';
  return (res.model_versions ?? []).map((v) => ({
    type, id: `${v.name}/${v.version}`, name: `${v.name} v${v.version}`,
    detail: [v.aliases?.length ? v.aliases.map((a) => `@${a}`).join(' ') : '', stamp(v.creation_timestamp)].filter(Boolean).join(' · '),
  }));
}

const SECTIONS: Record<string, { title: string; load: (p: Found) => Promise<Child[]> }[]> = {
  experiment: [
    { title: 'Runs', load: (p) => runs(p.id) },
    { title: 'Logged models', load: (p) => loggedModels(p.id) },
    { title: 'Traces', load: (p) => traces(p.id) },
  ],
  registered_model: [{ title: 'Versions', load: versions }],
  prompt: [{ title: 'Versions', load: versions }],
};

export function ChildrenDialog({ parent, onClose }: { parent: Found; onClose: () => void }) {
  const [sharing, setSharing] = useState<SharedResource>();
  if (sharing) return <ShareDialog resource={sharing} onClose={() => setSharing(undefined)} />;
  return (
    <Dialog title={`Inside ${parent.name}`} onClose={onClose} wide>
      <p className="muted">Share one run, version, trace or logged model without the rest: a grant here decides for that item alone (a Denied one too). Items without a grant follow {parent.name}'s access.</p>
      {(SECTIONS[parent.type] ?? []).map((s) => <Section key={s.title} title={s.title} parent={parent} load={s.load} onShare={setSharing} />)}
    </Dialog>
  );
}

function Section({ title, parent, load, onShare }: { title: string; parent: Found; load: (p: Found) => Promise<Child[]>; onShare: (r: SharedResource) => void }) {
  const rows = useLoad(() => load(parent), [parent.type, parent.id]);
  return (
    <section aria-label={title}>
      <h3>{title}</h3>
      <ErrorBox error={rows.error} onRetry={rows.reload} />
      {rows.loading && !rows.data && <Spinner />}
      {rows.data && rows.data.length === 0 && <Empty title={`No ${title.toLowerCase()} you can see`} />}
      {rows.data && rows.data.length > 0 && (
        <div className="table-wrap">
          <table className="table compact" aria-label={title}>
            <tbody>
              {rows.data.map((c) => (
                <tr key={c.id}>
                  <td><strong>{c.name}</strong><div className="muted mono">{c.id}</div></td>
                  <td className="muted">{c.detail}</td>
                  <td className="actions"><Button small onClick={() => onShare({ type: c.type, id: c.id, name: c.name })} aria-label={`Access to ${c.name}`}>Access…</Button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
