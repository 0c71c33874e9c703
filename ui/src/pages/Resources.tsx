// Experiments and registered models the user may read (MLflow's own search through the gateway,
// which filters it), each with a dialog to see and change who has access.
import { useMemo, useState } from 'react';
import { mlflow } from '../api';
import { Button, Card, Empty, ErrorBox, Page, Spinner, time } from '../components/ui';
import { ShareDialog, type SharedResource } from './ShareDialog';
import { ChildrenDialog } from './Children';
import type { Found } from '../mlflow-resources';
import { useMe } from '../me';
import { useLoad } from '../use-load';

interface Row {
  id: string;
  name: string;
  detail: string;
  updated: string | null;
}

interface ExperimentsAnswer {
  experiments?: { experiment_id: string; name: string; lifecycle_stage: string; last_update_time?: number | string }[];
}
interface ModelsAnswer {
  registered_models?: { name: string; latest_versions?: unknown[]; last_updated_timestamp?: number | string; description?: string }[];
}

const ms = (v: number | string | undefined) => (v === undefined ? null : new Date(Number(v)).toISOString());

async function loadRows(kind: 'experiment' | 'registered_model'): Promise<Row[]> {
  if (kind === 'experiment') {
    const res = await mlflow.post<ExperimentsAnswer>('experiments/search', { max_results: 500, order_by: ['last_update_time DESC'] });
    return (res.experiments ?? []).map((e) => ({ id: e.experiment_id, name: e.name, detail: `id ${e.experiment_id}`, updated: ms(e.last_update_time) }));
  }
  const res = await mlflow.get<ModelsAnswer>('registered-models/search?max_results=500');
  return (res.registered_models ?? []).map((m) => ({
    id: m.name, name: m.name, detail: `${m.latest_versions?.length ?? 0} latest version(s)`, updated: ms(m.last_updated_timestamp),
  }));
}

export function ResourcesPage({ kind }: { kind: 'experiment' | 'registered_model' }) {
  const me = useMe();
  const label = kind === 'experiment' ? 'Experiments' : 'Models';
  const rows = useLoad(() => loadRows(kind), [kind]);
  const [filter, setFilter] = useState('');
  const [sharing, setSharing] = useState<SharedResource>();
  const [inside, setInside] = useState<Found>();
  const shown = useMemo(() => (rows.data ?? []).filter((r) => r.name.toLowerCase().includes(filter.toLowerCase())), [rows.data, filter]);
  return (
    <Page
      title={label}
      intro={`The ${label.toLowerCase()} you may read. Managers of one (Manage) share it with people and groups; everyone can see who has access to what they manage.`}
      actions={<Button onClick={rows.reload} busy={rows.loading && !!rows.data}>Refresh</Button>}
    >
      <Card>
        <div className="toolbar">
          <label className="search">
            <span className="sr-only">Filter {label.toLowerCase()}</span>
            <input type="search" placeholder={`Filter ${label.toLowerCase()} by name`} value={filter} onChange={(e) => setFilter(e.target.value)} />
          </label>
          {rows.data && rows.data.length > 0 && <span className="muted">{shown.length} of {rows.data.length}</span>}
        </div>
        <ErrorBox error={rows.error} onRetry={rows.reload} />
        {rows.loading && !rows.data && <Spinner />}
        {rows.data && shown.length === 0 && (
          <Empty title={rows.data.length > 0 ? 'Nothing matches the filter' : me.is_admin ? `No ${label.toLowerCase()} yet` : `No ${label.toLowerCase()} you can read`}>
            {rows.data.length === 0 && (me.is_admin ? 'They appear here once someone creates one in MLflow.' : 'Ask a manager or an administrator to share one with you, or create one in MLflow.')}
          </Empty>
        )}
        {shown.length > 0 && (
          <table className="table" aria-label={label}>
            <thead><tr><th>Name</th><th>Details</th><th>Last updated</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.id}>
                  <td><strong>{r.name}</strong></td>
                  <td className="muted">{r.detail}</td>
                  <td>{time(r.updated)}</td>
                  <td className="actions">
                    <Button small onClick={() => setInside({ type: kind, id: r.id, name: r.name })} aria-label={`Inside ${r.name}`}>{kind === 'experiment' ? 'Contents…' : 'Versions…'}</Button>
                    <Button small onClick={() => setSharing({ type: kind, id: r.id, name: r.name })} aria-label={`Access to ${r.name}`}>Access…</Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {inside && <ChildrenDialog parent={inside} onClose={() => setInside(undefined)} />}
      {sharing && <ShareDialog resource={sharing} onClose={() => setSharing(undefined)} />}
    </Page>
  );
}
