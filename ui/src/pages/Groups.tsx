// Administrators: groups seen on users (from the IdP), from SCIM, created here ahead of use, or
// named in grants and pattern rules; each group's grants are managed here (by resource name),
// except an MLflow role's reserved group: shown as its role, read-only (the admin API refuses it).
import { useState, type FormEvent } from 'react';
import { api, type Grant, type Pattern } from '../api';
import { Button, Card, Empty, ErrorBox, Field, LevelBadge, Notice, Page, Spinner, Tag, useAction } from '../components/ui';
import { Link } from '../router';
import { PrincipalGrants } from '../sharing/PrincipalGrants';
import { ROLE_GROUP_NOTE } from '../sharing/role-groups';
import { useLoad } from '../use-load';

interface Group {
  name: string;
  admin_group: boolean;
  members: string[];
  grants: Grant[];
  patterns: Pattern[];
  created: { by: string; at: string; description: string | null } | null;
  /** Set for an MLflow role's reserved group (mlflow-role:<id>); name null once the role is gone. */
  role: { id: number; name: string | null; workspace: string | null } | null;
}

export function GroupsPage() {
  const groups = useLoad(() => api.get<{ groups: Group[] }>('groups'), []);
  const [open, setOpen] = useState<string>();
  return (
    <Page title="Groups" intro="Groups come from the identity provider; the gateway knows a group from its members' sign-ins, SCIM, grants and rules that name it — or from an administrator creating it here ahead of anyone signing in with it.">
      <CreateGroup onCreated={(name) => { groups.reload(); setOpen(name); }} />
      <ErrorBox error={groups.error} onRetry={groups.reload} />
      {groups.loading && !groups.data && <Spinner />}
      {groups.data && groups.data.groups.length === 0 && <Card><Empty title="No groups yet">Groups appear once members sign in or a grant names one.</Empty></Card>}
      {groups.data && groups.data.groups.length > 0 && (
        <Card>
          <table className="table" aria-label="Groups">
            <thead><tr><th>Group</th><th>Members</th><th>Grants</th><th>Pattern rules</th></tr></thead>
            <tbody>
              {groups.data.groups.map((g) => (
                <GroupRow key={g.name} group={g} open={open === g.name} onToggle={() => setOpen(open === g.name ? undefined : g.name)} onChange={groups.reload} />
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </Page>
  );
}

function GroupRow({ group, open, onToggle, onChange }: { group: Group; open: boolean; onToggle: () => void; onChange: () => void }) {
  return (
    <>
      <tr>
        <td>
          <button type="button" className="disclosure" aria-expanded={open} onClick={onToggle}>{group.role ? group.role.name ?? `deleted role ${group.role.id}` : group.name}</button>
          {group.role && <><Tag tone="info">MLflow role</Tag> <span className="muted small nowrap">{group.role.workspace ? `workspace ${group.role.workspace} · ` : ''}{group.name}</span></>}
          {group.admin_group && <Tag tone="info">administrators</Tag>}
          {group.created && <Tag>created by {group.created.by}</Tag>}
        </td>
        <td>{group.members.length === 0 ? <span className="muted">nobody yet</span> : group.members.map((m) => <Link key={m} className="chip" to={`/users/${encodeURIComponent(m)}`}>{m}</Link>)}</td>
        <td>{group.grants.length}</td>
        <td>{group.patterns.length}</td>
      </tr>
      {open && (
        <tr className="expanded">
          <td colSpan={4}>
            {group.created?.description && <p className="muted">{group.created.description}</p>}
            {group.role && <Notice>{ROLE_GROUP_NOTE}</Notice>}
            <PrincipalGrants principalType="group" principal={group.name} onChange={onChange} readOnly={group.role !== null} />
            {group.patterns.map((p) => <div key={p.id} className="muted">Pattern: {p.resource_type} {p.matcher} <code>{p.pattern}</code> → <LevelBadge level={p.level} /></div>)}
          </td>
        </tr>
      )}
    </>
  );
}

function CreateGroup({ onCreated }: { onCreated: (name: string) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [done, setDone] = useState<string>();
  const act = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act.run(async () => {
      const n = name.trim();
      await api.post('groups', { name: n, ...(description.trim() ? { description: description.trim() } : {}) });
      setDone(`Group ${n} created: it is suggested in share dialogs now, and members get its grants once the identity provider sends it.`);
      setName('');
      setDescription('');
      onCreated(n);
    });
  };
  return (
    <Card title="Create a group ahead of use">
      <form className="inline-form" aria-label="Create group" onSubmit={submit}>
        <Field label="Group name" hint="Exactly as the identity provider will send it"><input value={name} onChange={(e) => setName(e.target.value)} required placeholder="team-vision" /></Field>
        <Field label="Description (optional)"><input value={description} onChange={(e) => setDescription(e.target.value)} /></Field>
        <Button type="submit" variant="primary" busy={act.busy}>Create group</Button>
        <ErrorBox error={act.error} />
      </form>
      {done && <Notice kind="success">{done}</Notice>}
    </Card>
  );
}
