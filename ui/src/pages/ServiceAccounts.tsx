// Administrators: service accounts (workloads the gateway vouches for). Their permissions are
// ordinary grants to the account's name; their tokens are minted here and shown once.
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { Button, Card, ConfirmButton, Empty, ErrorBox, Field, Page, Spinner, Tag, useAction } from '../components/ui';
import { NewToken } from './Profile';
import { Link } from '../router';
import { useLoad } from '../use-load';

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
  const [minted, setMinted] = useState<{ account: string; token: string }>();
  const mint = (name: string) => act.run(async () => {
    const res = await api.post<{ token: string }>(`service-accounts/${encodeURIComponent(name)}/tokens`, { name: `ui-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 6)}`, expires_in_days: 90 });
    setMinted({ account: name, token: res.token });
  });
  return (
    <Page title="Service accounts" intro="Accounts for pipelines and services. Grant them access like users (by name); mint their tokens here.">
      <Card title="Create a service account"><CreateAccount onCreated={accounts.reload} /></Card>
      {minted && (
        <NewToken name={`Token for ${minted.account} created.`} label="New service-account token" token={minted.token} onDone={() => setMinted(undefined)} />
      )}
      <Card title="Accounts">
        <ErrorBox error={accounts.error ?? act.error} onRetry={accounts.reload} />
        {accounts.loading && !accounts.data && <Spinner />}
        {accounts.data && accounts.data.service_accounts.length === 0 && <Empty title="No service accounts">Create one above for a pipeline or a service; then share resources with it by name.</Empty>}
        {accounts.data && accounts.data.service_accounts.length > 0 && (
          <table className="table" aria-label="Service accounts">
            <thead><tr><th>Name</th><th>Groups</th><th>Status</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {accounts.data.service_accounts.map((a) => (
                <tr key={nameOf(a)}>
                  <td><Link to={`/users/${encodeURIComponent(nameOf(a))}`}><strong>{nameOf(a)}</strong></Link><div className="muted">{a.description ?? ''}</div></td>
                  <td>{a.groups.map((g) => <Tag key={g}>{g}</Tag>)}</td>
                  <td>{a.disabled ? <Tag tone="bad">disabled</Tag> : <Tag tone="good">active</Tag>}</td>
                  <td className="actions">
                    <Button small onClick={() => void mint(nameOf(a))} busy={act.busy}>New token</Button>
                    <ConfirmButton confirmLabel="Delete account" onConfirm={() => act.run(async () => { await api.del(`service-accounts/${encodeURIComponent(nameOf(a))}`); accounts.reload(); })}>Delete</ConfirmButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
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
