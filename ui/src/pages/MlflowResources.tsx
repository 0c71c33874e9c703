// The other resources MLflow users work with — prompts, AI-gateway endpoints, workspaces — each
// listed as MLflow answers the signed-in user (filtered by the gateway), with who has access.
import { useMemo, useState } from 'react';
import { Button, Card, Empty, ErrorBox, Page, Spinner } from '../components/ui';
import { find, type Found } from '../mlflow-resources';
import { useMe } from '../me';
import { useLoad } from '../use-load';
import { ChildrenDialog } from './Children';
import { ShareDialog, type SharedResource } from './ShareDialog';

type Kind = 'prompt' | 'gateway_endpoint' | 'workspace';

const TEXT: Record<Kind, { title: string; plural: string; intro: string; none: string }> = {
  prompt: {
    title: 'Prompts', plural: 'prompts',
    intro: 'Prompts of MLflow\'s prompt registry you may read. A prompt is its own resource: a grant on a prompt never opens a model, and the reverse.',
    none: 'Register one with mlflow.genai.register_prompt(), or ask its manager to share it.',
  },
  gateway_endpoint: {
    title: 'AI-gateway endpoints', plural: 'endpoints',
    intro: 'Endpoints of MLflow\'s AI gateway you may see. Share an endpoint at USE to let people call it without changing it.',
    none: 'An administrator creates endpoints in MLflow\'s AI gateway page; ask one to share an endpoint at USE.',
  },
  workspace: {
    title: 'Workspaces', plural: 'workspaces',
    intro: 'MLflow workspaces you may read. A grant on a workspace is about the workspace itself; the experiments and models in it have their own grants.',
    none: 'Workspaces exist when MLflow runs with --enable-workspaces.',
  },
};

export function MlflowResourcesPage({ kind }: { kind: Kind }) {
  const me = useMe();
  const t = TEXT[kind];
  const rows = useLoad(() => find(kind, ''), [kind]);
  const [filter, setFilter] = useState('');
  const [sharing, setSharing] = useState<SharedResource>();
  const [inside, setInside] = useState<Found>();
  const shown = useMemo(() => (rows.data ?? []).filter((r) => r.name.toLowerCase().includes(filter.toLowerCase())), [rows.data, filter]);
  return (
    <Page title={t.title} intro={t.intro} actions={<Button onClick={rows.reload} busy={rows.loading && !!rows.data}>Refresh</Button>}>
      <Card>
        <div className="toolbar">
          <label className="search">
            <span className="sr-only">Filter {t.plural}</span>
            <input type="search" placeholder={`Filter ${t.plural} by name`} value={filter} onChange={(e) => setFilter(e.target.value)} />
          </label>
          {rows.data && rows.data.length > 0 && <span className="muted">{shown.length} of {rows.data.length}</span>}
        </div>
        <ErrorBox error={rows.error} onRetry={rows.reload} />
        {rows.loading && !rows.data && <Spinner />}
        {rows.data && shown.length === 0 && (
          <Empty title={rows.data.length > 0 ? 'Nothing matches the filter' : me.is_admin ? `No ${t.plural} yet` : `No ${t.plural} you can see`}>{rows.data.length === 0 && t.none}</Empty>
        )}
        {shown.length > 0 && (
          <div className="table-wrap">
            <table className="table" aria-label={t.title}>
              <thead><tr><th>Name</th><th>Details</th><th><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {shown.map((r) => (
                  <tr key={r.id}>
                    <td><strong>{r.name}</strong></td>
                    <td className="muted">{r.detail ?? ''}</td>
                    <td className="actions">
                      {kind === 'prompt' && <Button small onClick={() => setInside(r)} aria-label={`Versions of ${r.name}`}>Versions…</Button>}
                      <Button small onClick={() => setSharing({ type: kind, id: r.id, name: r.name })} aria-label={`Access to ${r.name}`}>Access…</Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {inside && <ChildrenDialog parent={inside} onClose={() => setInside(undefined)} />}
      {sharing && <ShareDialog resource={sharing} onClose={() => setSharing(undefined)} />}
    </Page>
  );
}
