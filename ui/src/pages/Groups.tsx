// Administrators: groups seen on users (from the IdP) or named in grants and pattern rules.
import { useState } from 'react';
import { api, type Grant, type Pattern } from '../api';
import { Card, Empty, ErrorBox, LevelBadge, Page, Spinner, Tag } from '../components/ui';
import { Link } from '../router';
import { useLoad } from '../use-load';
import { GrantTable } from './Users';

interface Group {
  name: string;
  admin_group: boolean;
  members: string[];
  grants: Grant[];
  patterns: Pattern[];
}

export function GroupsPage() {
  const groups = useLoad(() => api.get<{ groups: Group[] }>('groups'), []);
  const [open, setOpen] = useState<string>();
  return (
    <Page title="Groups" intro="Groups come from the identity provider; the gateway knows a group from its members' sign-ins and from grants and rules that name it.">
      <ErrorBox error={groups.error} onRetry={groups.reload} />
      {groups.loading && !groups.data && <Spinner />}
      {groups.data && groups.data.groups.length === 0 && <Card><Empty title="No groups yet">Groups appear once members sign in or a grant names one.</Empty></Card>}
      {groups.data && groups.data.groups.length > 0 && (
        <Card>
          <table className="table" aria-label="Groups">
            <thead><tr><th>Group</th><th>Members</th><th>Grants</th><th>Pattern rules</th></tr></thead>
            <tbody>
              {groups.data.groups.map((g) => (
                <GroupRow key={g.name} group={g} open={open === g.name} onToggle={() => setOpen(open === g.name ? undefined : g.name)} />
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </Page>
  );
}

function GroupRow({ group, open, onToggle }: { group: Group; open: boolean; onToggle: () => void }) {
  return (
    <>
      <tr>
        <td>
          <button type="button" className="disclosure" aria-expanded={open} onClick={onToggle}>{group.name}</button>
          {group.admin_group && <Tag tone="info">administrators</Tag>}
        </td>
        <td>{group.members.length === 0 ? <span className="muted">nobody yet</span> : group.members.map((m) => <Link key={m} className="chip" to={`/users/${encodeURIComponent(m)}`}>{m}</Link>)}</td>
        <td>{group.grants.length}</td>
        <td>{group.patterns.length}</td>
      </tr>
      {open && (
        <tr className="expanded">
          <td colSpan={4}>
            <GrantTable rows={group.grants.map((g) => ({ via: 'group grant', g }))} />
            {group.patterns.map((p) => <div key={p.id} className="muted">Pattern: {p.resource_type} {p.matcher} <code>{p.pattern}</code> → <LevelBadge level={p.level} /></div>)}
          </td>
        </tr>
      )}
    </>
  );
}
