// Deleted experiments and runs the user may read, with restore (MLflow's restore routes through
// the gateway, which allows them to whoever may delete: EDIT on the experiment). Permanent deletion
// is MLflow's garbage collection (`mlflow gc`), which talks to the database, not to the REST API.
import { mlflow } from '../api';
import { Card, ConfirmButton, Empty, ErrorBox, Field, Notice, Page, Spinner, time, useAction } from '../components/ui';
import { findExperiments } from '../mlflow-resources';
import { useState } from 'react';
import { useLoad } from '../use-load';

interface DeletedRun { run_id: string; name: string; experiment: string; ended: string | null }

/** Deleted runs in the (at most 50) experiments whose names contain `q`: MLflow searches runs per experiment. */
async function deletedRuns(q: string): Promise<DeletedRun[]> {
  const experiments = await findExperiments(q);
  const names = new Map(experiments.map((e) => [e.id, e.name]));
  const ids = experiments.map((e) => e.id).slice(0, 100);
  if (ids.length === 0) return [];
  const res = await mlflow.post<{ runs?: { info: { run_id: string; run_name?: string; experiment_id: string; end_time?: number } }[] }>('runs/search', { experiment_ids: ids, run_view_type: 'DELETED_ONLY', max_results: 200 });
  return (res.runs ?? []).map((r) => ({
    run_id: r.info.run_id, name: r.info.run_name ?? r.info.run_id, experiment: names.get(r.info.experiment_id) ?? r.info.experiment_id,
    ended: r.info.end_time ? new Date(Number(r.info.end_time)).toISOString() : null,
  }));
}

export function TrashPage() {
  // A server holds more than one screen of experiments: the lists show the 50 most recent, and a
  // name narrows them (MLflow's ILIKE), so anything deleted can be found.
  const [q, setQ] = useState('');
  const experiments = useLoad(() => findExperiments(q, true), [q]);
  const runs = useLoad(() => deletedRuns(q), [q]);
  const act = useAction();
  const [done, setDone] = useState<string>();
  const restore = (what: string, path: string, body: unknown, reload: () => void) => act.run(async () => {
    await mlflow.post(path, body);
    setDone(`${what} restored.`);
    reload();
  });
  return (
    <Page title="Deleted experiments & runs" intro="What was deleted in MLflow and can still be restored. Restoring needs the right to delete it (Edit or more). Permanent deletion is done by an operator with mlflow gc.">
      {done && <Notice kind="success">{done}</Notice>}
      <ErrorBox error={act.error} />
      <Field label="Experiment name contains" hint="Narrows both lists: deleted experiments by their name, deleted runs by their experiment's name. Empty: the 50 most recent.">
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="e.g. fraud" />
      </Field>
      <Card title="Deleted experiments">
        <ErrorBox error={experiments.error} onRetry={experiments.reload} />
        {experiments.loading && !experiments.data && <Spinner />}
        {experiments.data && experiments.data.length === 0 && <Empty title="No deleted experiments you can see" />}
        {experiments.data && experiments.data.length > 0 && (
          <div className="table-wrap">
            <table className="table" aria-label="Deleted experiments">
              <thead><tr><th>Name</th><th>Id</th><th><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {experiments.data.map((e) => (
                  <tr key={e.id}>
                    <td><strong>{e.name}</strong></td>
                    <td className="mono">{e.id}</td>
                    <td className="actions"><ConfirmButton aria-label={`Restore ${e.name}`} confirmLabel="Restore now" onConfirm={() => restore(`Experiment ${e.name}`, 'experiments/restore', { experiment_id: e.id }, () => { experiments.reload(); runs.reload(); })}>Restore</ConfirmButton></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Card title="Deleted runs (in experiments that exist)">
        <ErrorBox error={runs.error} onRetry={runs.reload} />
        {runs.loading && !runs.data && <Spinner />}
        {runs.data && runs.data.length === 0 && <Empty title="No deleted runs you can see" />}
        {runs.data && runs.data.length > 0 && (
          <div className="table-wrap">
            <table className="table" aria-label="Deleted runs">
              <thead><tr><th>Run</th><th>Experiment</th><th>Ended</th><th><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {runs.data.map((r) => (
                  <tr key={r.run_id}>
                    <td><strong>{r.name}</strong><div className="muted mono">{r.run_id}</div></td>
                    <td>{r.experiment}</td>
                    <td>{time(r.ended)}</td>
                    <td className="actions"><ConfirmButton aria-label={`Restore run ${r.name}`} confirmLabel="Restore now" onConfirm={() => restore(`Run ${r.name}`, 'runs/restore', { run_id: r.run_id }, runs.reload)}>Restore</ConfirmButton></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </Page>
  );
}
