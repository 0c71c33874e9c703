// Administrators: one service account — what it is, its tokens (mint with name, expiry, read-only
// and scope; revoke), the trust rules that let workloads exchange their own tokens for it, and the
// OAuth clients of the identity provider that act as it (client-credentials tokens).
import { useState, type FormEvent } from 'react';
import { api, type Token } from '../api';
import { Button, Card, ConfirmButton, Empty, ErrorBox, Field, Notice, Page, relative, Spinner, Tag, time, useAction } from '../components/ui';
import { TokenForm, type TokenRequest } from '../components/TokenForm';
import { Link } from '../router';
import { useLoad } from '../use-load';
import { NewToken } from './Profile';
import { PrincipalGrants } from '../sharing/PrincipalGrants';
import { nameOf, useResourceNames } from '../sharing/names';
import { typeLabel } from '../type-labels';
import { GroupTag } from '../sharing/GroupTag';

export interface ServiceAccount {
  name: string;
  description: string | null;
  groups: string[];
  disabled: boolean;
  created_at: string;
  created_by: string | null;
}

interface Condition { claim: string; matcher: 'exact' | 'glob'; value: string }
export interface TrustRule {
  id: string;
  name: string;
  preset: string | null;
  issuer: string;
  jwks_url: string | null;
  audience: string;
  conditions: Condition[];
  service_account: string;
  created_at: string;
}
interface Preset { name: string; issuer?: string; claims: Record<string, string> }

interface Detail {
  service_account: ServiceAccount;
  tokens: (Token & { revoked_at: string | null })[];
  oauth_clients: string[];
}

export function ServiceAccountPage({ name }: { name: string }) {
  const path = `service-accounts/${encodeURIComponent(name)}`;
  const detail = useLoad(() => api.get<Detail>(path), [name]);
  const rules = useLoad(() => api.get<{ trust_rules: TrustRule[]; presets: Record<string, Preset> }>('trust-rules'), []);
  const act = useAction();
  const [minted, setMinted] = useState<{ name: string; token: string }>();
  const d = detail.data;
  const mine = (rules.data?.trust_rules ?? []).filter((r) => r.service_account === name);
  const setDisabled = (disabled: boolean) => act.run(async () => { await api.patch(path, { disabled }); detail.reload(); });
  return (
    <Page
      title={name}
      intro={<><Link to="/service-accounts">← All service accounts</Link> · a service account: a workload, not a person. It signs in with tokens, trust rules or OAuth clients — never in a browser.</>}
      actions={d && (d.service_account.disabled
        ? <Button variant="primary" busy={act.busy} onClick={() => void setDisabled(false)}>Enable account</Button>
        : <ConfirmButton confirmLabel="Disable: refuse its tokens" onConfirm={() => setDisabled(true)}>Disable account</ConfirmButton>)}
    >
      <ErrorBox error={detail.error ?? act.error} onRetry={detail.reload} />
      {detail.loading && !d && <Spinner />}
      {d && (
        <>
          <Card title="Account">
            <dl className="facts">
              <dt>Description</dt><dd>{d.service_account.description ?? <span className="muted">none</span>}</dd>
              <dt>Groups</dt><dd>{d.service_account.groups.length ? d.service_account.groups.map((g) => <GroupTag key={g} group={g} />) : <span className="muted">none</span>}</dd>
              <dt>Status</dt><dd>{d.service_account.disabled ? <Tag tone="bad">disabled — its tokens are refused</Tag> : <Tag tone="good">active</Tag>}</dd>
              <dt>Created</dt><dd>{time(d.service_account.created_at)}{d.service_account.created_by && <> by {d.service_account.created_by}</>}</dd>
            </dl>
          </Card>
          <Card title="Direct grants">
            <p className="muted">What {name} may reach, granted here or from a resource's Access dialog, like for a person.</p>
            <PrincipalGrants principalType="user" principal={name} onChange={detail.reload} />
          </Card>
          <Card title="Tokens">
            <p className="muted">Each token acts as {name}. Scope a token to the resources one job needs; make it read-only when the job only reads.</p>
            <TokenForm label="New service-account token" onSubmit={async (body: TokenRequest) => {
              const res = await api.post<{ token: string; name: string }>(`${path}/tokens`, body);
              setMinted({ name: res.name, token: res.token });
              detail.reload();
              return true;
            }} />
            {minted && <NewToken name={`Token “${minted.name}” for ${name} created.`} label="New service-account token secret" token={minted.token} onDone={() => setMinted(undefined)} />}
            <TokenTable tokens={d.tokens.filter((t) => !t.revoked_at)} onRevoke={(id) => act.run(async () => { await api.del(`tokens/${id}`); detail.reload(); })} />
          </Card>
          <TrustRules account={name} rules={mine} presets={rules.data?.presets ?? {}} error={rules.error} reload={rules.reload} />
          <OAuthClients account={name} clients={d.oauth_clients} reload={detail.reload} />
        </>
      )}
    </Page>
  );
}

export function TokenTable({ tokens, onRevoke, owner }: { tokens: (Token & { owner?: string | null })[]; onRevoke: (id: string) => Promise<unknown>; owner?: boolean }) {
  const names = useResourceNames(tokens.flatMap((t) => (t.scope ?? []).map((s) => ({ resource_type: s.type, resource_id: s.id }))));
  // A scope entry by the resource's name (its id too when they differ), as the grants tables show it.
  const scoped = (s: { type: string; id: string }) => {
    const name = nameOf(names, s.type, s.id);
    return `${typeLabel(s.type)} ${name}${name !== s.id ? ` (id ${s.id})` : ''}${names[`${s.type}:${s.id}`]?.deleted ? ' (deleted)' : ''}`;
  };
  if (tokens.length === 0) return <Empty title="No active tokens" />;
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Tokens">
        <thead><tr><th>Name</th>{owner && <th>Owner</th>}<th>Access</th><th>Expires</th><th>Last used</th><th><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id}>
              <td><strong>{t.name}</strong><div className="muted mono">{t.prefix ?? t.id}…</div></td>
              {owner && <td>{t.owner ? <Link to={`/users/${encodeURIComponent(t.owner)}`}>{t.owner}</Link> : '—'}</td>}
              <td>
                {t.read_only ? <Tag tone="info">read-only</Tag> : <Tag>full</Tag>}
                {t.scope && <Tag tone="warn">only {t.scope.map(scoped).join(', ')}</Tag>}
              </td>
              <td>{relative(t.expires_at)}</td>
              <td>{relative(t.last_used_at)}</td>
              <td className="actions"><ConfirmButton aria-label={`Revoke token ${t.name}`} confirmLabel="Revoke now" onConfirm={() => onRevoke(t.id)}>Revoke</ConfirmButton></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TrustRules({ account, rules, presets, error, reload }: { account: string; rules: TrustRule[]; presets: Record<string, Preset>; error: unknown; reload: () => void }) {
  const del = useAction();
  return (
    <Card title="Trust rules (workload identity)">
      <p className="muted">A workload with a token from a trusted issuer (Kubernetes, GitHub Actions, GitLab…) exchanges it for access as {account} when every condition matches. No secret to store.</p>
      <ErrorBox error={error ?? del.error} onRetry={reload} />
      {rules.length === 0 ? <Empty title="No trust rules">Add one below to let a workload act as {account} without a stored token.</Empty> : (
        <div className="table-wrap">
          <table className="table" aria-label="Trust rules">
            <thead><tr><th>Rule</th><th>Issuer and audience</th><th>Conditions</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {rules.map((r) => (
                <tr key={r.id}>
                  <td><strong>{r.name}</strong>{r.preset && <div><Tag tone="info">{r.preset}</Tag></div>}</td>
                  <td><div className="mono">{r.issuer}</div><div className="muted">audience <code>{r.audience}</code></div></td>
                  <td>{r.conditions.map((c, i) => <div key={i} className="mono">{c.claim} {c.matcher === 'glob' ? '~' : '='} {c.value}</div>)}</td>
                  <td className="actions"><ConfirmButton aria-label={`Delete trust rule ${r.name}`} confirmLabel="Delete" onConfirm={() => del.run(async () => { await api.del(`trust-rules/${r.id}`); reload(); })}>Delete</ConfirmButton></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Add a trust rule</h3>
      <AddTrustRule account={account} presets={presets} onAdded={reload} />
    </Card>
  );
}

function AddTrustRule({ account, presets, onAdded }: { account: string; presets: Record<string, Preset>; onAdded: () => void }) {
  const [form, setForm] = useState({ name: '', preset: '', issuer: '', audience: '' });
  const [conditions, setConditions] = useState<Condition[]>([{ claim: 'sub', matcher: 'exact', value: '' }]);
  const add = useAction();
  const preset = form.preset ? presets[form.preset] : undefined;
  const claims = preset ? Object.keys(preset.claims) : [];
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const setCond = (i: number, c: Partial<Condition>) => setConditions(conditions.map((x, j) => (j === i ? { ...x, ...c } : x)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      name: form.name.trim(), service_account: account, audience: form.audience.trim(),
      ...(form.preset ? { preset: form.preset } : {}),
      ...(form.issuer.trim() || !preset?.issuer ? { issuer: form.issuer.trim() } : {}),
      conditions: conditions.filter((c) => c.claim.trim() && c.value.trim()).map((c) => ({ claim: c.claim.trim(), matcher: c.matcher, value: c.value.trim() })),
    };
    if (await add.run(() => api.post('trust-rules', body))) {
      setForm({ name: '', preset: form.preset, issuer: '', audience: '' });
      setConditions([{ claim: claims[0] ?? 'sub', matcher: 'exact', value: '' }]);
      onAdded();
    }
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Add a trust rule">
      <Field label="Rule name"><input value={form.name} onChange={set('name')} required placeholder="k8s-training" /></Field>
      <Field label="Preset" hint="names the claims for you">
        <select value={form.preset} onChange={set('preset')}>
          <option value="">generic (any OIDC issuer)</option>
          {Object.keys(presets).map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
      </Field>
      <Field label="Issuer" hint={preset?.issuer ? `default ${preset.issuer}` : 'https URL'}><input value={form.issuer} onChange={set('issuer')} required={!preset?.issuer} placeholder={preset?.issuer ?? 'https://…'} className="mono" /></Field>
      <Field label="Audience"><input value={form.audience} onChange={set('audience')} required placeholder="mlflow" /></Field>
      <div style={{ flexBasis: '100%' }}>
        {conditions.map((c, i) => (
          <div className="cond-row" key={i}>
            <Field label={`Claim ${i + 1}`}>
              {claims.length ? (
                <select value={c.claim} onChange={(e) => setCond(i, { claim: e.target.value })}>{[c.claim, ...claims.filter((x) => x !== c.claim)].map((x) => <option key={x} value={x}>{x}</option>)}</select>
              ) : <input value={c.claim} onChange={(e) => setCond(i, { claim: e.target.value })} className="mono" />}
            </Field>
            <Field label="Match"><select value={c.matcher} onChange={(e) => setCond(i, { matcher: e.target.value as Condition['matcher'] })}><option value="exact">is exactly</option><option value="glob">matches glob</option></select></Field>
            <Field label="Value"><input value={c.value} onChange={(e) => setCond(i, { value: e.target.value })} className="mono" placeholder="system:serviceaccount:ml:trainer" /></Field>
            {conditions.length > 1 && <Button small onClick={() => setConditions(conditions.filter((_, j) => j !== i))} aria-label={`Remove condition ${i + 1}`}>Remove</Button>}
          </div>
        ))}
        <Button small onClick={() => setConditions([...conditions, { claim: claims[0] ?? '', matcher: 'exact', value: '' }])}>Add a condition</Button>
      </div>
      <Button type="submit" variant="primary" busy={add.busy}>Add trust rule</Button>
      <ErrorBox error={add.error} />
    </form>
  );
}

function OAuthClients({ account, clients, reload }: { account: string; clients: string[]; reload: () => void }) {
  const [id, setId] = useState('');
  const act = useAction();
  const [done, setDone] = useState<string>();
  const url = (c: string) => `service-accounts/${encodeURIComponent(account)}/oauth-clients/${encodeURIComponent(c)}`;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const c = id.trim();
    if (await act.run(() => api.put(url(c), {}))) {
      setDone(`Client ${c} now acts as ${account}.`);
      setId('');
      reload();
    }
  };
  return (
    <Card title="OAuth clients">
      <p className="muted">Clients of the gateway's identity provider whose client-credentials tokens act as {account}.</p>
      {done && <Notice kind="success">{done}</Notice>}
      <ErrorBox error={act.error} />
      {clients.length === 0 ? <Empty title="No OAuth clients mapped" /> : (
        <ul className="plain-list" aria-label="OAuth clients">
          {clients.map((c) => (
            <li key={c}><code>{c}</code> <ConfirmButton aria-label={`Unmap client ${c}`} confirmLabel="Unmap" onConfirm={() => act.run(async () => { await api.del(url(c)); setDone(undefined); reload(); })}>Unmap</ConfirmButton></li>
          ))}
        </ul>
      )}
      <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Map an OAuth client">
        <Field label="Client id"><input value={id} onChange={(e) => setId(e.target.value)} required className="mono" /></Field>
        <Button type="submit" variant="primary" busy={act.busy}>Map client</Button>
      </form>
    </Card>
  );
}
