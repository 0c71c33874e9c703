// Administrators: service accounts (workloads the gateway vouches for). Their permissions are
// ordinary grants to the account's name; each account's page mints its tokens (shown once) and
// holds its trust rules and OAuth clients.
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { Button, Card, ConfirmButton, Empty, ErrorBox, Field, Page, Spinner, Tag, useAction } from '../components/ui';
import { Link } from '../router';
import { useLoad } from '../use-load';
import { GroupTag } from '../sharing/GroupTag';

interface Account {
  name?: string;
  username?: string;
  description: string | null;
  groups: string[];
  disabled?: boolean;
}

const nameOf = (a: Account) => a.name ?? a.username ?? '?';

export function ServiceAccountsPage() {
  const accounts = useLoad(() => api.get<{ service_accounts: Account[] }>('service-accounts'), []);
  const act = useAction();
  return (
    <Page title="Service accounts" intro="Accounts for pipelines and services. Grant them access like users (by name); mint their tokens here.">
      <Card title="Create a service account"><CreateAccount onCreated={accounts.reload} /></Card>
      <Card title="Accounts">
        <ErrorBox error={accounts.error ?? act.error} onRetry={accounts.reload} />
        {accounts.loading && !accounts.data && <Spinner />}
        {accounts.data && accounts.data.service_accounts.length === 0 && <Empty title="No service accounts">Create one above for a pipeline or a service; then share resources with it by name.</Empty>}
        {accounts.data && accounts.data.service_accounts.length > 0 && (
          <div className="table-wrap"><table className="table" aria-label="Service accounts">
            <thead><tr><th>Name</th><th>Groups</th><th>Status</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {accounts.data.service_accounts.map((a) => (
                <tr key={nameOf(a)}>
                  <td><Link to={`/service-accounts/${encodeURIComponent(nameOf(a))}`}><strong>{nameOf(a)}</strong></Link><div className="muted">{a.description ?? ''}</div></td>
                  <td>{a.groups.map((g) => <GroupTag key={g} group={g} />)}</td>
                  <td>{a.disabled ? <Tag tone="bad">disabled</Tag> : <Tag tone="good">active</Tag>}</td>
                  <td className="actions">
                    <Link className="btn secondary small" to={`/service-accounts/${encodeURIComponent(nameOf(a))}`} aria-label={`Tokens and trust of ${nameOf(a)}`}>Tokens &amp; trust…</Link>
                    <ConfirmButton confirmLabel="Delete account" onConfirm={() => act.run(async () => { await api.del(`service-accounts/${encodeURIComponent(nameOf(a))}`); accounts.reload(); })}>Delete</ConfirmButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table></div>
        )}
      </Card>
    </Page>
  );
}

function CreateAccount({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [groups, setGroups] = useState('');
  const create = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}), groups: groups.split(',').map((g) => g.trim()).filter(Boolean) };
    if (await create.run(() => api.post('service-accounts', body))) {
      setName('');
      setDescription('');
      setGroups('');
      onCreated();
    }
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Create a service account">
      <Field label="Name"><input value={name} onChange={(e) => setName(e.target.value)} required placeholder="ci-pipeline" /></Field>
      <Field label="Description"><input value={description} onChange={(e) => setDescription(e.target.value)} /></Field>
      <Field label="Groups" hint="comma-separated"><input value={groups} onChange={(e) => setGroups(e.target.value)} /></Field>
      <Button type="submit" variant="primary" busy={create.busy}>Create</Button>
      <ErrorBox error={create.error} />
    </form>
  );
}
