// Administrators: pattern rules give a level on every resource whose name matches (present and future).
import { useState, type FormEvent } from 'react';
import { api, LEVELS, RESOURCE_TYPES, type Level, type Pattern } from '../api';
import { Button, Card, ConfirmButton, Empty, ErrorBox, Field, LevelBadge, Page, Spinner, Tag, useAction } from '../components/ui';
import { useLoad } from '../use-load';
import { GroupNameInput, unknownGroupWarning, useGroupSuggestions } from '../sharing/GroupNameInput';

export function PatternsPage() {
  const rules = useLoad(() => api.get<{ patterns: Pattern[] }>('patterns'), []);
  const del = useAction();
  return (
    <Page title="Pattern rules" intro="A rule grants a level on every resource whose name matches a glob (team-a-*) or a regular expression — including resources created later. Direct grants win over rules.">
      <Card title="Add a rule"><AddRule onAdded={rules.reload} /></Card>
      <Card title="Rules">
        <ErrorBox error={rules.error ?? del.error} onRetry={rules.reload} />
        {rules.loading && !rules.data && <Spinner />}
        {rules.data && rules.data.patterns.length === 0 && <Empty title="No pattern rules">Resources are reached through direct grants and the default only.</Empty>}
        {rules.data && rules.data.patterns.length > 0 && (
          <table className="table" aria-label="Pattern rules">
            <thead><tr><th>For</th><th>Resource type</th><th>Pattern</th><th>Level</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {rules.data.patterns.map((r) => (
                <tr key={r.id}>
                  <td><Tag tone={r.principal_type === 'group' ? 'info' : 'neutral'}>{r.principal_type}</Tag> {r.principal}</td>
                  <td>{r.resource_type.replace('_', ' ')}</td>
                  <td><span className="muted">{r.matcher}</span> <code>{r.pattern}</code></td>
                  <td><LevelBadge level={r.level} /></td>
                  <td className="actions"><ConfirmButton aria-label={`Delete rule ${r.pattern}`} confirmLabel="Delete" onConfirm={() => del.run(async () => { await api.del(`patterns/${r.id}`); rules.reload(); })}>Delete</ConfirmButton></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </Page>
  );
}

function AddRule({ onAdded }: { onAdded: () => void }) {
  const [form, setForm] = useState({ principal_type: 'group', principal: '', resource_type: 'experiment', matcher: 'glob', pattern: '', level: 'READ' as Level });
  const add = useAction();
  const suggestions = useGroupSuggestions();
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await add.run(() => api.post('patterns', form))) {
      setForm({ ...form, principal: '', pattern: '' });
      onAdded();
    }
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Add a pattern rule">
      <Field label="For"><select value={form.principal_type} onChange={set('principal_type')}><option value="group">Group</option><option value="user">User</option></select></Field>
      {form.principal_type === 'group'
        ? <Field label="Group" hint={unknownGroupWarning(form.principal, suggestions.data)}><GroupNameInput label="Group" value={form.principal} onChange={(v) => setForm({ ...form, principal: v })} suggestions={suggestions.data} /></Field>
        : <Field label="Username"><input value={form.principal} onChange={set('principal')} required /></Field>}
      <Field label="Resource type"><select value={form.resource_type} onChange={set('resource_type')}>{RESOURCE_TYPES.map((t) => <option key={t} value={t}>{t.replace('_', ' ')}</option>)}</select></Field>
      <Field label="Matcher"><select value={form.matcher} onChange={set('matcher')}><option value="glob">glob</option><option value="regex">regex</option></select></Field>
      <Field label="Pattern"><input value={form.pattern} onChange={set('pattern')} required placeholder="team-a-*" className="mono" /></Field>
      <Field label="Level"><select value={form.level} onChange={set('level')}>{LEVELS.map((l) => <option key={l} value={l}>{l}</option>)}</select></Field>
      <Button type="submit" variant="primary" busy={add.busy}>Add rule</Button>
      <ErrorBox error={add.error} />
    </form>
  );
}
