// The form for a new token: name, expiry, read-only, and an optional scope (the token then reaches
// only the chosen resources). Used for personal and service-account tokens; the caller posts the body.
import { useState, type FormEvent } from 'react';
import { type Found, type Pickable } from '../mlflow-resources';
import { Button, ErrorBox, Field, Tag, useAction } from './ui';
import { ResourcePicker } from './ResourcePicker';
import { typeLabel } from '../type-labels';

export interface TokenRequest {
  name: string;
  expires_in_days: number;
  read_only: boolean;
  scope?: { type: string; id: string }[];
}

const SCOPE_TYPES: Pickable[] = ['experiment', 'registered_model', 'prompt', 'gateway_endpoint', 'workspace'];

export function TokenForm({ onSubmit, label = 'Create a token', everything = 'everything the account may reach' }: { onSubmit: (body: TokenRequest) => Promise<unknown>; label?: string; everything?: string }) {
  const [name, setName] = useState('');
  const [days, setDays] = useState('90');
  const [readOnly, setReadOnly] = useState(false);
  const [scoped, setScoped] = useState(false);
  const [scope, setScope] = useState<Found[]>([]);
  const [type, setType] = useState<Pickable>('experiment');
  const [picked, setPicked] = useState<Found>();
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (scoped && scope.length === 0) return action.setError(new Error(`Add at least one resource to the scope, or choose "${everything}".`));
    const body: TokenRequest = { name: name.trim(), expires_in_days: Number(days), read_only: readOnly, ...(scoped ? { scope: scope.map((s) => ({ type: s.type, id: s.id })) } : {}) };
    if ((await action.run(() => onSubmit(body))) !== undefined) {
      setName('');
      setReadOnly(false);
      setScoped(false);
      setScope([]);
    }
  };
  const add = () => {
    if (picked && !scope.some((s) => s.type === picked.type && s.id === picked.id)) setScope([...scope, picked]);
    setPicked(undefined);
  };
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label={label}>
      <Field label="Token name"><input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. nightly-training" required maxLength={100} /></Field>
      <Field label="Expires in">
        <select value={days} onChange={(e) => setDays(e.target.value)}>
          <option value="7">7 days</option><option value="30">30 days</option><option value="90">90 days</option><option value="365">1 year</option>
        </select>
      </Field>
      <label className="check"><input type="checkbox" checked={readOnly} onChange={(e) => setReadOnly(e.target.checked)} /> Read-only (never writes)</label>
      <Field label="Reaches">
        <select value={scoped ? 'some' : 'all'} onChange={(e) => setScoped(e.target.value === 'some')}>
          <option value="all">{everything}</option>
          <option value="some">only chosen resources</option>
        </select>
      </Field>
      {scoped && (
        <div className="scope-box" style={{ flexBasis: '100%' }}>
          <div className="cond-row">
            <Field label="Scope type">
              <select value={type} onChange={(e) => { setType(e.target.value as Pickable); setPicked(undefined); }}>
                {SCOPE_TYPES.map((t) => <option key={t} value={t}>{typeLabel(t)}</option>)}
              </select>
            </Field>
            <Field label="Resource"><ResourcePicker type={type} value={picked} onChange={setPicked} label="Scope resource" /></Field>
            <Button small onClick={add} disabled={!picked}>Add to scope</Button>
          </div>
          <p aria-label="Token scope">
            {scope.length === 0 ? <span className="muted">No resource chosen yet.</span> : scope.map((s) => (
              <Tag key={`${s.type}:${s.id}`} tone="warn">
                {typeLabel(s.type)} {s.name}{' '}
                <button type="button" className="link-button" aria-label={`Remove ${s.name} from the scope`} onClick={() => setScope(scope.filter((x) => x !== s))}>×</button>
              </Tag>
            ))}
          </p>
        </div>
      )}
      <Button type="submit" variant="primary" busy={action.busy}>Create token</Button>
      <ErrorBox error={action.error} />
    </form>
  );
}
