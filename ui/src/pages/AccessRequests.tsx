// Access requests: ask for a level on a resource with a message (the link in MLflow's bar and in
// a refusal lands here with the resource filled in), follow one's own requests, and — for
// managers of a resource and administrators — approve (which creates the grant) or decline.
import { useState, type FormEvent } from 'react';
import { api, BASE, RESOURCE_TYPES, type Level } from '../api';
import { Button, Card, Empty, ErrorBox, Field, LevelBadge, Notice, Page, Spinner, Tag, relative, time, useAction } from '../components/ui';
import { LEVEL_HELP, levelOption } from '../levels';
import { useLoad } from '../use-load';
import { typeLabel } from '../type-labels';

export interface AccessRequest {
  id: string;
  requester: string;
  resource_type: string;
  resource_id: string;
  resource_name: string | null;
  level: Level;
  message: string;
  status: 'pending' | 'approved' | 'declined' | 'expired';
  created_at: string;
  expires_at: string;
  decided_at: string | null;
  decided_by: string | null;
  note: string | null;
}

const REQUESTABLE: Level[] = ['READ', 'USE', 'EDIT', 'MANAGE'];
const STATUS_TONE = { pending: 'info', approved: 'good', declined: 'bad', expired: 'neutral' } as const;

/** A return address inside MLflow (from the bar), or none: never another site. */
function safeReturn(raw: string | null): string | undefined {
  return raw && raw.startsWith(`${BASE}/`) && !raw.startsWith('//') && !raw.includes('\\') ? raw : undefined;
}

export function AccessRequestsPage() {
  const params = new URLSearchParams(window.location.search);
  const back = safeReturn(params.get('return_to'));
  const list = useLoad(() => api.get<{ mine: AccessRequest[]; to_decide: AccessRequest[] }>('access-requests'), []);
  return (
    <Page title="Access requests" intro="Ask the managers of an experiment, model or other resource for access; they approve or decline here.">
      <AskForm initial={{ type: params.get('resource_type') ?? 'experiment', id: params.get('resource_id') ?? '', level: (params.get('level') as Level | null) ?? 'READ' }} back={back} onSent={list.reload} />
      <ErrorBox error={list.error} onRetry={list.reload} />
      {!list.data ? <Spinner /> : (
        <>
          {list.data.to_decide.length > 0 && <ToDecide requests={list.data.to_decide} onDone={list.reload} />}
          <Card title="Your requests">
            {list.data.mine.length === 0 ? <Empty title="No requests yet">Requests you send appear here with their outcome.</Empty> : (
              <table className="table">
                  <thead><tr><th>Resource</th><th>Level</th><th>Status</th><th>Asked</th><th>Answer</th></tr></thead>
                  <tbody>
                    {list.data.mine.map((r) => (
                      <tr key={r.id}>
                        <td>{typeLabel(r.resource_type)} {r.resource_name ?? r.resource_id}</td>
                        <td><LevelBadge level={r.level} /></td>
                        <td><Tag tone={STATUS_TONE[r.status]}>{r.status}</Tag></td>
                        <td title={time(r.created_at)}>{relative(r.created_at)}</td>
                        <td>{r.decided_by ? <>by {r.decided_by}{r.note ? <>: <q>{r.note}</q></> : null}</> : r.status === 'pending' ? <span className="muted">expires {relative(r.expires_at)}</span> : '—'}</td>
                      </tr>
                    ))}
                  </tbody>
              </table>
            )}
          </Card>
        </>
      )}
    </Page>
  );
}

function AskForm({ initial, back, onSent }: { initial: { type: string; id: string; level: Level }; back: string | undefined; onSent: () => void }) {
  const [type, setType] = useState(initial.type);
  const [id, setId] = useState(initial.id);
  const [level, setLevel] = useState<Level>(REQUESTABLE.includes(initial.level) ? initial.level : 'READ');
  const [message, setMessage] = useState('');
  const [sent, setSent] = useState<AccessRequest | undefined>();
  const send = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void send.run(async () => {
      const r = await api.post<{ access_request: AccessRequest }>('access-requests', { resource_type: type, resource_id: id.trim(), level, message });
      setSent(r.access_request);
      setMessage('');
      onSent();
    });
  };
  return (
    <Card title="Ask for access">
      {sent && (
        <Notice kind="success">
          Sent: {levelOption(sent.level)} on {typeLabel(sent.resource_type)} {sent.resource_id}. The managers see it now; its outcome shows below.
          {back && <> <a href={back}>Back to MLflow</a></>}
        </Notice>
      )}
      <form className="form-grid" onSubmit={submit}>
        <Field label="Kind">
          <select value={type} onChange={(e) => setType(e.target.value)}>
            {RESOURCE_TYPES.map((t) => <option key={t} value={t}>{typeLabel(t)}</option>)}
          </select>
        </Field>
        <Field label={type === 'experiment' ? 'Experiment id' : 'Name or id'} hint={type === 'experiment' ? 'The number in MLflow\'s address: #/experiments/<id>' : undefined}>
          <input value={id} onChange={(e) => setId(e.target.value)} required maxLength={512} />
        </Field>
        <Field label="Level" hint={LEVEL_HELP[level]}>
          <select value={level} onChange={(e) => setLevel(e.target.value as Level)}>
            {REQUESTABLE.map((l) => <option key={l} value={l}>{levelOption(l)}</option>)}
          </select>
        </Field>
        <Field label="Message to the managers" hint="Why you need it; optional">
          <textarea value={message} onChange={(e) => setMessage(e.target.value)} maxLength={1000} rows={2} />
        </Field>
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={send.busy} disabled={!id.trim()}>Send request</Button>
          {back && <a className="btn ghost" href={back}>Back to MLflow</a>}
        </div>
      </form>
      <ErrorBox error={send.error} />
    </Card>
  );
}

function ToDecide({ requests, onDone }: { requests: AccessRequest[]; onDone: () => void }) {
  return (
    <Card title={`Waiting for your decision (${requests.length})`}>
      <ul className="request-list">
        {requests.map((r) => <Decision key={r.id} request={r} onDone={onDone} />)}
      </ul>
    </Card>
  );
}

function Decision({ request: r, onDone }: { request: AccessRequest; onDone: () => void }) {
  const [level, setLevel] = useState<Level>(r.level);
  const [note, setNote] = useState('');
  const act = useAction();
  const decide = (what: 'approve' | 'decline') =>
    void act.run(async () => {
      await api.post(`access-requests/${r.id}/${what}`, what === 'approve' ? { level, note } : { note });
      onDone();
    });
  return (
    <li className="request">
      <p>
        <strong>{r.requester}</strong> asks for <LevelBadge level={r.level} /> on {typeLabel(r.resource_type)} <strong>{r.resource_name ?? r.resource_id}</strong>
        {r.resource_name && <span className="muted"> ({r.resource_id})</span>} <span className="muted">· {relative(r.created_at)}</span>
      </p>
      {r.message && <blockquote>{r.message}</blockquote>}
      <div className="request-actions">
        <label className="inline">Grant
          <select value={level} onChange={(e) => setLevel(e.target.value as Level)} aria-label={`Level for ${r.requester}`}>
            {REQUESTABLE.map((l) => <option key={l} value={l}>{levelOption(l)}</option>)}
          </select>
        </label>
        <input value={note} onChange={(e) => setNote(e.target.value)} placeholder="Note for the requester (optional)" aria-label={`Note for ${r.requester}`} maxLength={1000} />
        <Button variant="primary" small busy={act.busy} onClick={() => decide('approve')}>Approve</Button>
        <Button small busy={act.busy} onClick={() => decide('decline')}>Decline</Button>
      </div>
      <ErrorBox error={act.error} />
    </li>
  );
}
