// "Why can (or can't) this user do that?" — the policy's own explanation, every grant and rule.
import { useState, type FormEvent } from 'react';
import { ACTIONS, api, RESOURCE_TYPES, type Grant, type Pattern } from '../api';
import { Button, Card, DenyNote, ErrorBox, Field, LevelBadge, Page, Tag, useAction } from '../components/ui';
import { useMe } from '../me';
import { SOURCE } from './ShareDialog';
import { ResourcePicker } from '../components/ResourcePicker';
import { PICKABLE, type Found, type Pickable } from '../mlflow-resources';
import { typeLabel } from '../type-labels';

interface Explanation {
  decision: { allow: boolean; level: string; required: string; source: string; reason: string };
  considered: {
    admin: boolean;
    grants: { grant: Grant; matched: boolean; decisive: boolean; note: string }[];
    patterns: { rule: Pattern; matched: boolean; decisive: boolean; note: string }[];
    default_level: string;
    token: { scope: string; max_level: string | null; lowered: boolean };
  };
}

export function ExplainPage() {
  const me = useMe();
  const [form, setForm] = useState({ user: me.username, action: 'read', type: 'experiment', id: '', name: '' });
  const [answer, setAnswer] = useState<Explanation>();
  const [picked, setPicked] = useState<Found>();
  const pickable = (PICKABLE as readonly string[]).includes(form.type);
  const pick = (r: Found | undefined) => {
    setPicked(r);
    if (r) setForm({ ...form, id: r.id, name: r.name });
  };
  const ask = useAction();
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const res = await ask.run(() => api.post<Explanation>('explain', {
      user: form.user.trim(), action: form.action, resource: { type: form.type, id: form.id.trim(), ...(form.name.trim() ? { name: form.name.trim() } : {}) },
    }));
    setAnswer(res);
  };
  return (
    <Page title="Explain access" intro={me.is_admin ? 'Ask why any user may or may not do something, with every grant and rule the policy considered.' : 'Ask why you may or may not do something, with every grant and rule the policy considered.'}>
      <Card>
        <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Explain access">
          <Field label="User"><input value={form.user} onChange={set('user')} required readOnly={!me.is_admin} /></Field>
          <Field label="Action"><select value={form.action} onChange={set('action')}>{ACTIONS.map((a) => <option key={a} value={a}>{a}</option>)}</select></Field>
          <Field label="Resource type"><select value={form.type} onChange={(e) => { setForm({ ...form, type: e.target.value, id: '', name: '' }); setPicked(undefined); }}>{RESOURCE_TYPES.map((t) => <option key={t} value={t}>{typeLabel(t)}</option>)}</select></Field>
          {pickable && <Field label="Find by name" hint="among what you can see"><ResourcePicker type={form.type as Pickable} value={picked} onChange={pick} /></Field>}
          <Field label="Resource id" hint={pickable ? 'filled in when you pick by name' : 'run id, <model>/<version>…'}><input value={form.id} onChange={set('id')} required /></Field>
          <Field label="Name" hint="optional, for pattern rules"><input value={form.name} onChange={set('name')} /></Field>
          <Button type="submit" variant="primary" busy={ask.busy}>Explain</Button>
        </form>
        <ErrorBox error={ask.error} />
        <DenyNote />
      </Card>
      {answer && <Answer e={answer} />}
    </Page>
  );
}

function Answer({ e }: { e: Explanation }) {
  const d = e.decision;
  const c = e.considered;
  return (
    <Card title={<>Decision: <Tag tone={d.allow ? 'good' : 'bad'}>{d.allow ? 'allowed' : 'denied'}</Tag></>}>
      <p className="decision" aria-live="polite">
        Holds <LevelBadge level={d.level} />, needs <LevelBadge level={d.required} /> — decided by the <strong>{SOURCE[d.source] ?? d.source}</strong>. <span className="muted">{d.reason}</span>
      </p>
      <h3>Grants considered</h3>
      {c.admin ? <p className="muted">Administrators hold Manage on everything; nothing else was consulted.</p> : c.grants.length === 0 ? <p className="muted">No grant on this resource reaches the user or their groups.</p> : (
        <table className="table compact" aria-label="Grants considered">
          <thead><tr><th>Grant</th><th>Level</th><th>Result</th></tr></thead>
          <tbody>{c.grants.map((g, i) => <tr key={i} className={g.decisive ? 'decisive' : ''}><td>{g.grant.principal_type} {g.grant.principal}</td><td><LevelBadge level={g.grant.level} /></td><td>{g.decisive && <Tag tone="info">decisive</Tag>} {g.note}</td></tr>)}</tbody>
        </table>
      )}
      {!c.admin && (
        <>
          <h3>Pattern rules considered</h3>
          {c.patterns.length === 0 ? <p className="muted">No pattern rule of the user or their groups for this resource type.</p> : (
            <table className="table compact" aria-label="Pattern rules considered">
              <thead><tr><th>Rule</th><th>Level</th><th>Result</th></tr></thead>
              <tbody>{c.patterns.map((p, i) => <tr key={i} className={p.decisive ? 'decisive' : ''}><td>{p.rule.principal_type} {p.rule.principal}: {p.rule.matcher} <code>{p.rule.pattern}</code></td><td><LevelBadge level={p.rule.level} /></td><td>{p.decisive && <Tag tone="info">decisive</Tag>} {p.matched ? 'matches' : 'does not match'} — {p.note}</td></tr>)}</tbody>
            </table>
          )}
          <p className="muted">Default when nothing applies: <LevelBadge level={c.default_level} /></p>
        </>
      )}
    </Card>
  );
}
