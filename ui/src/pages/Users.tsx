// Administrators: every user the gateway has seen, and one user's groups, grants, tokens and
// sessions, with disable/enable.
import { useState } from 'react';
import { api, qs, type Grant, type Pattern, type Session, type Token, type User } from '../api';
import { Button, Card, ConfirmButton, Empty, ErrorBox, LevelBadge, Notice, Page, relative, Spinner, Tag, time, useAction } from '../components/ui';
import { useMe } from '../me';
import { Link } from '../router';
import { useLoad } from '../use-load';
import { SessionTable } from './Profile';
import { PrincipalGrants } from '../sharing/PrincipalGrants';
import { nameOf, useResourceNames } from '../sharing/names';
import { typeLabel } from '../type-labels';
import { GroupTag, groupLabel } from '../sharing/GroupTag';
import { isRoleGroup } from '../sharing/role-groups';

export function UsersPage() {
  const [search, setSearch] = useState('');
  const users = useLoad(() => api.get<{ users: User[] }>(`users?${qs({ search, limit: 500 })}`), [search]);
  return (
    <Page title="Users" intro="Everyone who has signed in or called the gateway, with the groups the identity provider last reported.">
      <Card>
        <div className="toolbar">
          <label className="search">
            <span className="sr-only">Search users</span>
            <input type="search" placeholder="Search by username or email" value={search} onChange={(e) => setSearch(e.target.value)} />
          </label>
          {users.loading && users.data && <span className="spinner small" role="status" aria-label="Searching" />}
        </div>
        <ErrorBox error={users.error} onRetry={users.reload} />
        {users.loading && !users.data && <Spinner />}
        {users.data && users.data.users.length === 0 && <Empty title={search ? 'No user matches' : 'No users yet'} />}
        {users.data && users.data.users.length > 0 && (
          <table className="table" aria-label="Users">
            <thead><tr><th>User</th><th>Groups</th><th>Status</th><th>Last sign-in</th></tr></thead>
            <tbody>
              {users.data.users.map((u) => (
                <tr key={u.id}>
                  <td><Link to={`/${u.kind === 'service' ? 'service-accounts' : 'users'}/${encodeURIComponent(u.username)}`}><strong>{u.username}</strong></Link><div className="muted">{u.display_name ?? ''} {u.email ? `· ${u.email}` : ''}</div></td>
                  <td>{u.groups.map((g) => <GroupTag key={g} group={g} />)}</td>
                  <td>{u.disabled ? <Tag tone="bad">disabled</Tag> : <Tag tone="good">active</Tag>}{u.is_admin && <Tag tone="info">admin</Tag>}{u.kind === 'service' && <Tag tone="warn">service</Tag>}{u.kind === 'person' && u.last_login_at === null && <Tag tone="warn">not signed in yet</Tag>}</td>
                  <td>{relative(u.last_login_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </Page>
  );
}

interface Detail {
  user: User;
  grants: Grant[];
  groups: { name: string; admin_group: boolean; grants: Grant[] }[];
  patterns: Pattern[];
  tokens: Token[];
  sessions: Session[];
}

export function UserPage({ username }: { username: string }) {
  const me = useMe();
  const detail = useLoad(() => api.get<Detail>(`users/${encodeURIComponent(username)}`), [username]);
  const act = useAction();
  const [done, setDone] = useState<string>();
  const toggle = (disable: boolean) => act.run(async () => {
    const res = await api.post<{ sessions_ended: number }>(`users/${encodeURIComponent(username)}/${disable ? 'disable' : 'enable'}`);
    setDone(disable ? `${username} is disabled; ${res.sessions_ended} session(s) ended.` : `${username} is enabled again.`);
    detail.reload();
  });
  const d = detail.data;
  return (
    <Page
      title={username}
      intro={<Link to="/users">← All users</Link>}
      actions={d && d.user.username !== me.username && (d.user.disabled
        ? <Button variant="primary" busy={act.busy} onClick={() => void toggle(false)}>Enable user</Button>
        : <ConfirmButton confirmLabel="Disable and sign out" onConfirm={() => toggle(true)}>Disable user</ConfirmButton>)}
    >
      <ErrorBox error={detail.error ?? act.error} onRetry={detail.reload} />
      {done && <Notice kind="success">{done}</Notice>}
      {detail.loading && !d && <Spinner />}
      {d && (
        <>
          <Card title="Account">
            <dl className="facts">
              <dt>Name</dt><dd>{d.user.display_name ?? '—'}</dd>
              <dt>Email</dt><dd>{d.user.email ?? '—'}</dd>
              <dt>Status</dt><dd>{d.user.disabled ? <Tag tone="bad">disabled</Tag> : <Tag tone="good">active</Tag>}{d.user.is_admin && <Tag tone="info">admin</Tag>}</dd>
              <dt>First seen</dt><dd>{time(d.user.created_at)}</dd>
              <dt>Last sign-in</dt><dd>{d.user.kind === 'person' && d.user.last_login_at === null ? 'not signed in yet: recorded ahead of the first sign-in, which joins this account (grants apply from then on)' : time(d.user.last_login_at)}{d.user.provider !== null && <> via <code>{d.user.provider}</code></>}</dd>
            </dl>
          </Card>
          <Card title="Direct grants">
            <PrincipalGrants principalType="user" principal={d.user.username} onChange={detail.reload} />
          </Card>
          <Card title="Through groups and rules">
            {d.groups.every((g) => g.grants.length === 0) && d.patterns.length === 0
              ? <Empty title="Nothing through groups or rules">Beyond the direct grants, this user reaches only what the default permission allows{d.user.is_admin ? ' — and everything, as an administrator' : ''}.</Empty>
              : <GrantTable rows={d.groups.flatMap((grp) => grp.grants.map((g) => ({ via: isRoleGroup(grp.name) ? groupLabel(grp.name) : `group ${grp.name}`, g })))} />}
            {d.patterns.length > 0 && (
              <table className="table compact" aria-label="Pattern rules">
                <thead><tr><th>Pattern rule</th><th>Type</th><th>For</th><th>Level</th></tr></thead>
                <tbody>{d.patterns.map((p) => <tr key={p.id}><td className="mono">{p.matcher} {p.pattern}</td><td>{p.resource_type}</td><td>{p.principal_type} {p.principal}</td><td><LevelBadge level={p.level} /></td></tr>)}</tbody>
              </table>
            )}
          </Card>
          <Card title="Tokens">
            {d.tokens.length === 0 ? <Empty title="No active tokens" /> : (
              <table className="table" aria-label="Tokens">
                <thead><tr><th>Name</th><th>Access</th><th>Expires</th><th>Last used</th><th><span className="sr-only">Actions</span></th></tr></thead>
                <tbody>
                  {d.tokens.map((t) => (
                    <tr key={t.id}>
                      <td><strong>{t.name}</strong><div className="muted mono">{t.id}</div></td>
                      <td>{t.read_only ? <Tag tone="info">read-only</Tag> : <Tag>full</Tag>}</td>
                      <td>{relative(t.expires_at)}</td>
                      <td>{relative(t.last_used_at)}</td>
                      <td className="actions"><ConfirmButton aria-label={`Revoke token ${t.name}`} confirmLabel="Revoke now" onConfirm={() => act.run(async () => { await api.del(`tokens/${t.id}`); detail.reload(); })}>Revoke</ConfirmButton></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Card>
          <Card title="Browser sessions">
            {d.sessions.length === 0 ? <Empty title="Not signed in anywhere" /> : <SessionTable sessions={d.sessions} onEnd={(id) => act.run(async () => { await api.del(`sessions/${id}`); detail.reload(); })} />}
          </Card>
        </>
      )}
    </Page>
  );
}

export function GrantTable({ rows }: { rows: { via: string; g: Grant }[] }) {
  const names = useResourceNames(rows.map((r) => r.g));
  if (rows.length === 0) return <Empty title="No grants" />;
  return (
    <table className="table compact" aria-label="Grants">
      <thead><tr><th>Resource</th><th>Level</th><th>Through</th></tr></thead>
      <tbody>
        {rows.map(({ via, g }) => (
          <tr key={`${via}:${g.resource_type}:${g.resource_id}`}>
            <td><Tag>{typeLabel(g.resource_type)}</Tag> <strong>{nameOf(names, g.resource_type, g.resource_id)}</strong>{names[`${g.resource_type}:${g.resource_id}`]?.deleted && <span className="muted"> · deleted</span>}</td>
            <td><LevelBadge level={g.level} /></td>
            <td>{via}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
