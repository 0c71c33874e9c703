// Administrators: SCIM provisioning (tokens, last sync, what was provisioned) and the sign-in
// providers with the URLs to register at each IdP. SCIM tokens are shown once, at creation.
import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { Button, Card, ConfirmButton, Empty, ErrorBox, Field, Page, Spinner, Tag, relative, useAction } from '../components/ui';
import { NewToken } from './Profile';
import { useLoad } from '../use-load';

interface ScimToken { id: string; name: string; allowed_cidrs: string[] | null; created_at: string; created_by: string; last_used_at: string | null; last_used_ip: string | null; revoked_at: string | null }
interface ScimStatus { endpoint: string; link_by: string; group_source: string; provider: string; users: { total: number; active: number; linked: number }; groups: number; last_sync: string | null; tokens: ScimToken[] }
interface Provider { id: string; display_name: string; kind: string; issuer: string; default: boolean; redirect_uri: string; backchannel_logout_uri: string | null; discovered: boolean; scim_links: boolean; saml?: { sp_entity_id: string; sp_metadata_url: string; acs_url: string; slo_url: string } | null }

export function ProvisioningPage() {
  const status = useLoad(() => api.get<ScimStatus>('scim'), []);
  const providers = useLoad(() => api.get<{ providers: Provider[] }>('identity-providers'), []);
  const act = useAction();
  const [minted, setMinted] = useState<{ name: string; token: string }>();
  const rotate = (t: ScimToken) => act.run(async () => {
    const res = await api.post<{ token: string }>(`scim/tokens/${t.id}/rotate`, {});
    setMinted({ name: t.name, token: res.token });
    status.reload();
  });
  const s = status.data;
  return (
    <Page title="Provisioning & sign-in" intro="SCIM 2.0 provisioning from your IdP (Entra ID, Okta…) and the identity providers people sign in with.">
      <Card title="SCIM provisioning">
        <ErrorBox error={status.error ?? act.error} onRetry={status.reload} />
        {status.loading && !s && <Spinner />}
        {s && (
          <dl className="facts">
            <dt>Endpoint (tenant URL)</dt><dd><code>{s.endpoint}</code></dd>
            <dt>Last sync</dt><dd>{s.last_sync ? relative(s.last_sync) : 'never'}</dd>
            <dt>Users</dt><dd>{s.users.total} provisioned, {s.users.active} active, {s.users.linked} signed in</dd>
            <dt>Groups</dt><dd>{s.groups} (group source: {s.group_source})</dd>
            <dt>Linking</dt><dd>first sign-in through <strong>{s.provider}</strong>, matched by {s.link_by}</dd>
          </dl>
        )}
      </Card>
      <Card title="Create a SCIM token"><CreateScimToken onCreated={(name, token) => { setMinted({ name, token }); status.reload(); }} /></Card>
      {minted && <NewToken name={`SCIM token ${minted.name}: paste it into the IdP's provisioning settings now.`} label="New SCIM token" token={minted.token} onDone={() => setMinted(undefined)} />}
      <Card title="SCIM tokens">
        {s && s.tokens.length === 0 && <Empty title="No SCIM tokens">Create one above and give it to your IdP's provisioning (the secret token).</Empty>}
        {s && s.tokens.length > 0 && (
          <table className="table" aria-label="SCIM tokens">
            <thead><tr><th>Name</th><th>From</th><th>Last used</th><th>Status</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {s.tokens.map((t) => (
                <tr key={t.id}>
                  <td><strong>{t.name}</strong><div className="muted">{t.id} · by {t.created_by}</div></td>
                  <td>{t.allowed_cidrs ? t.allowed_cidrs.join(', ') : 'any address'}</td>
                  <td>{t.last_used_at ? `${relative(t.last_used_at)} from ${t.last_used_ip ?? '?'}` : 'never'}</td>
                  <td>{t.revoked_at ? <Tag tone="bad">revoked</Tag> : <Tag tone="good">active</Tag>}</td>
                  <td className="actions">
                    {!t.revoked_at && <Button small onClick={() => void rotate(t)} busy={act.busy}>Rotate</Button>}
                    {!t.revoked_at && <ConfirmButton confirmLabel="Revoke token" onConfirm={() => act.run(async () => { await api.del(`scim/tokens/${t.id}`); status.reload(); })}>Revoke</ConfirmButton>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card title="Identity providers">
        <ErrorBox error={providers.error} onRetry={providers.reload} />
        {providers.data && (
          <table className="table" aria-label="Identity providers">
            <thead><tr><th>Provider</th><th>Register at the IdP</th><th>Status</th></tr></thead>
            <tbody>
              {providers.data.providers.map((p) => (
                <tr key={p.id}>
                  <td><strong>{p.display_name}</strong> <Tag>{p.kind}</Tag>{p.default && <Tag tone="info">default</Tag>}{p.scim_links && <Tag tone="info">SCIM</Tag>}<div className="muted">{p.issuer}</div></td>
                  <td>{p.saml
                    ? <><div>SP metadata: <code>{p.saml.sp_metadata_url}</code></div><div>Entity id: <code>{p.saml.sp_entity_id}</code></div><div>ACS: <code>{p.saml.acs_url}</code></div><div>Single logout: <code>{p.saml.slo_url}</code></div></>
                    : <div>Redirect URI: <code>{p.redirect_uri}</code></div>}{p.backchannel_logout_uri && <div>Back-channel logout URI: <code>{p.backchannel_logout_uri}</code></div>}</td>
                  <td>{p.discovered ? <Tag tone="good">reachable</Tag> : <Tag tone="warn">not contacted yet</Tag>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </Page>
  );
}

function CreateScimToken({ onCreated }: { onCreated: (name: string, token: string) => void }) {
  const [name, setName] = useState('');
  const [cidrs, setCidrs] = useState('');
  const create = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const allowed = cidrs.split(',').map((c) => c.trim()).filter(Boolean);
    const token = await create.run(async () => (await api.post<{ token: string }>('scim/tokens', { name: name.trim(), ...(allowed.length ? { allowed_cidrs: allowed } : {}) })).token);
    if (token) {
      onCreated(name.trim(), token);
      setName('');
      setCidrs('');
    }
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Create a SCIM token">
      <Field label="Name"><input value={name} onChange={(e) => setName(e.target.value)} required placeholder="entra-id" /></Field>
      <Field label="Allowed client addresses" hint="CIDRs, comma-separated; empty: any"><input value={cidrs} onChange={(e) => setCidrs(e.target.value)} placeholder="20.0.0.0/8" /></Field>
      <Button type="submit" variant="primary" busy={create.busy}>Create</Button>
      <ErrorBox error={create.error} />
    </form>
  );
}
