// Administrators: pattern rules give a level on every resource whose name matches (present and future).
import { useState, type FormEvent } from 'react';
import { api, LEVELS, RESOURCE_TYPES, type Level, type Pattern } from '../api';
import { Button, Card, ConfirmButton, DenyNote, Empty, ErrorBox, Field, LevelBadge, Page, Spinner, Tag, useAction } from '../components/ui';
import { levelOption } from '../levels';
import { find, PICKABLE, type Pickable } from '../mlflow-resources';
import { compile, literalPrefix } from '../pattern-match';
import { useDebounced } from '../use-debounced';
import { useLoad } from '../use-load';
import { GroupNameInput, unknownGroupWarning, useGroupSuggestions } from '../sharing/GroupNameInput';
import { typeLabel } from '../type-labels';

export function PatternsPage() {
  const rules = useLoad(() => api.get<{ patterns: Pattern[] }>('patterns'), []);
  const del = useAction();
  const [editing, setEditing] = useState<string>();
  return (
    <Page title="Pattern rules" intro="A rule grants a level on every resource whose name matches a glob (team-a-*) or a regular expression — including resources created later. Direct grants win over rules; among rules, the most specific pattern decides, and a Denied rule beats every grant.">
      <Card title="Add a rule"><AddRule onAdded={rules.reload} /></Card>
      <Card title="Rules">
        <ErrorBox error={rules.error ?? del.error} onRetry={rules.reload} />
        {rules.loading && !rules.data && <Spinner />}
        {rules.data && rules.data.patterns.length === 0 && <Empty title="No pattern rules">Resources are reached through direct grants and the default only.</Empty>}
        {rules.data && rules.data.patterns.length > 0 && (
          <div className="table-wrap"><table className="table" aria-label="Pattern rules">
            <thead><tr><th>For</th><th>Resource type</th><th>Pattern</th><th>Level</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {rules.data.patterns.map((r) => (editing === r.id ? (
                <tr key={r.id} className="expanded">
                  <td colSpan={5}><EditRule rule={r} onDone={() => { setEditing(undefined); rules.reload(); }} /></td>
                </tr>
              ) : (
                <tr key={r.id}>
                  <td><Tag tone={r.principal_type === 'group' ? 'info' : 'neutral'}>{r.principal_type}</Tag> {r.principal}</td>
                  <td>{typeLabel(r.resource_type)}</td>
                  <td><span className="muted">{r.matcher}</span> <code>{r.pattern}</code></td>
                  <td><LevelBadge level={r.level} /></td>
                  <td className="actions">
                    <Button small onClick={() => setEditing(r.id)} aria-label={`Edit rule ${r.pattern}`}>Edit</Button>
                    <ConfirmButton aria-label={`Delete rule ${r.pattern}`} confirmLabel="Delete" onConfirm={() => del.run(async () => { await api.del(`patterns/${r.id}`); rules.reload(); })}>Delete</ConfirmButton>
                  </td>
                </tr>
              )))}
            </tbody>
          </table></div>
        )}
        <DenyNote />
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
      <Field label="Resource type"><select value={form.resource_type} onChange={set('resource_type')}>{RESOURCE_TYPES.map((t) => <option key={t} value={t}>{typeLabel(t)}</option>)}</select></Field>
      <Field label="Matcher"><select value={form.matcher} onChange={set('matcher')}><option value="glob">glob</option><option value="regex">regex</option></select></Field>
      <Field label="Pattern"><input value={form.pattern} onChange={set('pattern')} required placeholder="team-a-*" className="mono" /></Field>
      <Field label="Level"><select value={form.level} onChange={set('level')}>{LEVELS.map((l) => <option key={l} value={l}>{levelOption(l)}</option>)}</select></Field>
      <Button type="submit" variant="primary" busy={add.busy}>Add rule</Button>
      <ErrorBox error={add.error} />
      <Preview type={form.resource_type} matcher={form.matcher} pattern={form.pattern} />
    </form>
  );
}

/** Changes one rule in place (PATCH: the rule never lapses while it changes); who and the type stay. */
function EditRule({ rule, onDone }: { rule: Pattern; onDone: () => void }) {
  const [form, setForm] = useState({ matcher: rule.matcher as string, pattern: rule.pattern, level: rule.level as string });
  const save = useAction();
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const changes = Object.fromEntries(Object.entries(form).filter(([k, v]) => v !== (rule as unknown as Record<string, string>)[k]));
    if (Object.keys(changes).length === 0) return onDone();
    if (await save.run(() => api.patch(`patterns/${rule.id}`, changes))) onDone();
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label={`Edit rule ${rule.pattern}`}>
      <p className="muted" style={{ flexBasis: '100%', margin: 0 }}>For {rule.principal_type} <strong>{rule.principal}</strong> on {typeLabel(rule.resource_type)}s:</p>
      <Field label="Matcher"><select value={form.matcher} onChange={set('matcher')}><option value="glob">glob</option><option value="regex">regex</option></select></Field>
      <Field label="Pattern"><input value={form.pattern} onChange={set('pattern')} required className="mono" /></Field>
      <Field label="Level"><select value={form.level} onChange={set('level')}>{LEVELS.map((l) => <option key={l} value={l}>{levelOption(l)}</option>)}</select></Field>
      <Button type="submit" variant="primary" busy={save.busy}>Save</Button>
      <Button onClick={onDone}>Cancel</Button>
      <ErrorBox error={save.error} />
      <Preview type={rule.resource_type} matcher={form.matcher} pattern={form.pattern} />
    </form>
  );
}

/** How long the pattern's literal start must stay unchanged before the preview searches MLflow. */
const PREVIEW_DEBOUNCE_MS = 250;

/** What the rule would match now, among the resources of that type (as MLflow lists them). */
function Preview({ type, matcher, pattern }: { type: string; matcher: string; pattern: string }) {
  const pickable = (PICKABLE as readonly string[]).includes(type);
  // MLflow lists at most 50 per search: the candidates are those whose names contain the pattern's
  // literal start (a superset of what it matches), then matched exactly here as the policy would.
  // The start is debounced so that typing a pattern asks MLflow once, not once per key; until the
  // search for the settled start answers, the last candidates stay (with the start they were for).
  const prefix = useDebounced(literalPrefix(matcher, pattern), PREVIEW_DEBOUNCE_MS);
  const found = useLoad(async () => (pickable ? { prefix, names: (await find(type as Pickable, prefix)).map((r) => r.name) } : undefined), [type, prefix]);
  if (!pattern) return null;
  if (!pickable) return <p className="preview muted" style={{ flexBasis: '100%' }}>No preview for {typeLabel(type)}s: they are matched by name when a request names one.</p>;
  const test = compile(matcher, pattern);
  if (typeof test === 'string') return <p className="preview" role="status" style={{ flexBasis: '100%' }}><Tag tone="bad">cannot be used</Tag> {test}</p>;
  if (!found.data) return <p className="preview muted" style={{ flexBasis: '100%' }}>{found.error ? `No preview: ${found.error.message}` : 'Looking for matches…'}</p>;
  const { prefix: searched, names } = found.data;
  const hits = names.filter(test);
  return (
    <div className="preview" role="status" aria-label="Preview of the rule" style={{ flexBasis: '100%' }}>
      <strong>Matches {hits.length} of {names.length} existing {typeLabel(type)}s{searched ? ` whose names contain “${searched}”` : ''}{names.length >= 50 ? ' (the first 50 looked at)' : ''}</strong>
      {hits.length > 0 && <>: {hits.slice(0, 20).map((n) => <Tag key={n}>{n}</Tag>)}{hits.length > 20 && <span className="muted"> and {hits.length - 20} more</span>}</>}
      <span className="muted"> — and any created later with a matching name.</span>
    </div>
  );
}
