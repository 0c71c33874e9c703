// Administrators: protected aliases and tag keys (who may set or delete `@champion`, `prod*` tags…)
// and team defaults (the level a creator's team gets on every new resource). Both reach every
// resource of a type, so only administrators manage them.
import { useState, type FormEvent } from 'react';
import { api, LEVELS } from '../api';
import { Button, Card, ConfirmButton, Empty, ErrorBox, Field, LevelBadge, Page, Spinner, Tag, useAction } from '../components/ui';
import { levelOption } from '../levels';
import { useLoad } from '../use-load';
import { typeLabel } from '../type-labels';

interface ProtectedKey {
  id: string;
  resource_type: string;
  resource_pattern: string;
  target: 'alias' | 'tag';
  key_pattern: string;
  required_level: string | null;
  allowed_groups: string[];
  created_by: string | null;
}
interface TeamDefault {
  id: string;
  resource_type: string;
  level: string;
  grant_to: 'creator_groups' | 'groups';
  group_pattern: string | null;
  groups: string[];
  creator_group: string | null;
}

const PROTECTABLE = ['registered_model', 'prompt', 'model_version', 'prompt_version', 'experiment', 'run'];
const DEFAULTABLE = ['experiment', 'registered_model', 'prompt', 'gateway_endpoint', 'gateway_secret', 'gateway_model_definition'];
const groupsOf = (s: string) => s.split(',').map((g) => g.trim()).filter(Boolean);

export function RulesPage() {
  return (
    <Page title="Protected keys & team defaults" intro="Rules that reach every resource of a type: which aliases and tags need more than Edit to set or delete, and what level a team gets on what its members create.">
      <ProtectedKeys />
      <TeamDefaults />
    </Page>
  );
}

function ProtectedKeys() {
  const rules = useLoad(() => api.get<{ protected_keys: ProtectedKey[] }>('protected-keys'), []);
  const del = useAction();
  return (
    <Card title="Protected aliases and tags">
      <p className="muted">Setting or deleting a matching alias or tag needs the level and/or membership of one of the groups below (for example: only <code>release-managers</code> may move <code>@champion</code>). Refusals name the rule.</p>
      <ErrorBox error={rules.error ?? del.error} onRetry={rules.reload} />
      {rules.loading && !rules.data && <Spinner />}
      {rules.data && rules.data.protected_keys.length === 0 && <Empty title="No protected keys">Anyone with Edit sets and deletes any alias or tag.</Empty>}
      {rules.data && rules.data.protected_keys.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Protected keys">
            <thead><tr><th>Protects</th><th>On</th><th>Needs</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {rules.data.protected_keys.map((r) => (
                <tr key={r.id}>
                  <td>{r.target} <code>{r.key_pattern}</code></td>
                  <td>{typeLabel(r.resource_type)} <code>{r.resource_pattern}</code></td>
                  <td>
                    {r.required_level && <><LevelBadge level={r.required_level} /> or higher</>}
                    {r.required_level && r.allowed_groups.length > 0 && ' and '}
                    {r.allowed_groups.length > 0 && <>member of {r.allowed_groups.map((g) => <Tag key={g} tone="info">{g}</Tag>)}</>}
                  </td>
                  <td className="actions"><ConfirmButton aria-label={`Delete protected key ${r.key_pattern}`} confirmLabel="Delete" onConfirm={() => del.run(async () => { await api.del(`protected-keys/${r.id}`); rules.reload(); })}>Delete</ConfirmButton></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Protect an alias or tag</h3>
      <AddProtectedKey onAdded={rules.reload} />
    </Card>
  );
}

function AddProtectedKey({ onAdded }: { onAdded: () => void }) {
  const [form, setForm] = useState({ target: 'alias', resource_type: 'registered_model', resource_pattern: '*', key_pattern: '', required_level: 'MANAGE', allowed_groups: '' });
  const add = useAction();
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const types = form.target === 'alias' ? ['registered_model', 'prompt'] : PROTECTABLE;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      target: form.target, resource_type: form.resource_type, resource_pattern: form.resource_pattern.trim() || '*', key_pattern: form.key_pattern.trim(),
      ...(form.required_level ? { required_level: form.required_level } : {}), allowed_groups: groupsOf(form.allowed_groups),
    };
    if (await add.run(() => api.post('protected-keys', body))) {
      setForm({ ...form, key_pattern: '', allowed_groups: '' });
      onAdded();
    }
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Protect an alias or tag">
      <Field label="Protect"><select value={form.target} onChange={(e) => setForm({ ...form, target: e.target.value, resource_type: e.target.value === 'alias' && !['registered_model', 'prompt'].includes(form.resource_type) ? 'registered_model' : form.resource_type })}><option value="alias">alias</option><option value="tag">tag</option></select></Field>
      <Field label="Alias or tag key" hint="exact or glob: champion, prod*"><input value={form.key_pattern} onChange={set('key_pattern')} required className="mono" placeholder="champion" /></Field>
      <Field label="On"><select value={form.resource_type} onChange={set('resource_type')}>{types.map((t) => <option key={t} value={t}>{typeLabel(t)}</option>)}</select></Field>
      <Field label="Named" hint="glob; * for all"><input value={form.resource_pattern} onChange={set('resource_pattern')} className="mono" /></Field>
      <Field label="Needs level">
        <select value={form.required_level} onChange={set('required_level')}>
          <option value="">no level (groups only)</option>
          {['EDIT', 'MANAGE'].map((l) => <option key={l} value={l}>{levelOption(l)}</option>)}
        </select>
      </Field>
      <Field label="Or be in groups" hint="comma-separated; with a level, both are needed"><input value={form.allowed_groups} onChange={set('allowed_groups')} placeholder="release-managers" /></Field>
      <Button type="submit" variant="primary" busy={add.busy}>Protect</Button>
      <ErrorBox error={add.error} />
    </form>
  );
}

function TeamDefaults() {
  const rules = useLoad(() => api.get<{ team_defaults: TeamDefault[] }>('team-defaults'), []);
  const del = useAction();
  return (
    <Card title="Team defaults">
      <p className="muted">When someone creates a resource, these groups get a level on it (next to the creator's Manage), once MLflow confirms the creation.</p>
      <ErrorBox error={rules.error ?? del.error} onRetry={rules.reload} />
      {rules.loading && !rules.data && <Spinner />}
      {rules.data && rules.data.team_defaults.length === 0 && <Empty title="No team defaults">New resources are reachable by their creator (Manage), administrators and whatever rules apply.</Empty>}
      {rules.data && rules.data.team_defaults.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Team defaults">
            <thead><tr><th>New</th><th>Created by</th><th>Who gets it</th><th>Level</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {rules.data.team_defaults.map((r) => (
                <tr key={r.id}>
                  <td>{typeLabel(r.resource_type)}</td>
                  <td>{r.creator_group ? <>members of <Tag tone="info">{r.creator_group}</Tag></> : 'anyone'}</td>
                  <td>{r.grant_to === 'groups' ? r.groups.map((g) => <Tag key={g} tone="info">{g}</Tag>) : <>the creator's groups{r.group_pattern && <> matching <code>{r.group_pattern}</code></>}</>}</td>
                  <td><LevelBadge level={r.level} /></td>
                  <td className="actions"><ConfirmButton aria-label={`Delete team default for ${r.resource_type}`} confirmLabel="Delete" onConfirm={() => del.run(async () => { await api.del(`team-defaults/${r.id}`); rules.reload(); })}>Delete</ConfirmButton></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Add a team default</h3>
      <AddTeamDefault onAdded={rules.reload} />
    </Card>
  );
}

function AddTeamDefault({ onAdded }: { onAdded: () => void }) {
  const [form, setForm] = useState({ resource_type: 'experiment', level: 'EDIT', grant_to: 'creator_groups', group_pattern: '', groups: '', creator_group: '' });
  const add = useAction();
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      resource_type: form.resource_type, level: form.level, grant_to: form.grant_to,
      ...(form.grant_to === 'groups' ? { groups: groupsOf(form.groups) } : form.group_pattern.trim() ? { group_pattern: form.group_pattern.trim() } : {}),
      ...(form.creator_group.trim() ? { creator_group: form.creator_group.trim() } : {}),
    };
    if (await add.run(() => api.post('team-defaults', body))) {
      setForm({ ...form, groups: '', group_pattern: '', creator_group: '' });
      onAdded();
    }
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Add a team default">
      <Field label="On new"><select value={form.resource_type} onChange={set('resource_type')}>{DEFAULTABLE.map((t) => <option key={t} value={t}>{typeLabel(t)}</option>)}</select></Field>
      <Field label="Created by members of" hint="optional: one group"><input value={form.creator_group} onChange={set('creator_group')} placeholder="anyone" /></Field>
      <Field label="Give to">
        <select value={form.grant_to} onChange={set('grant_to')}><option value="creator_groups">the creator's groups</option><option value="groups">named groups</option></select>
      </Field>
      {form.grant_to === 'groups'
        ? <Field label="Groups" hint="comma-separated"><input value={form.groups} onChange={set('groups')} required /></Field>
        : <Field label="Only groups matching" hint="optional glob: team-*"><input value={form.group_pattern} onChange={set('group_pattern')} className="mono" /></Field>}
      <Field label="Level"><select value={form.level} onChange={set('level')}>{LEVELS.filter((l) => l !== 'NO_PERMISSIONS' && l !== 'DENY').map((l) => <option key={l} value={l}>{levelOption(l)}</option>)}</select></Field>
      <Button type="submit" variant="primary" busy={add.busy}>Add default</Button>
      <ErrorBox error={add.error} />
    </form>
  );
}
