// The signed-in user's own page: who the gateway thinks they are, their personal access tokens
// (create with an expiry and a read-only option, copy once, revoke) and their browser sessions.
import { useState } from 'react';
import { api, BASE, type Session, type Token } from '../api';
import { Button, Card, ConfirmButton, Empty, ErrorBox, Notice, Page, relative, Spinner, Tag, time, useAction } from '../components/ui';
import { TokenForm } from '../components/TokenForm';
import { useMe } from '../me';
import { useLoad } from '../use-load';
import { GroupTag } from '../sharing/GroupTag';

export function ProfilePage() {
  const me = useMe();
  return (
    <Page title="Profile & tokens" intro="Your identity as the gateway sees it, the tokens your programs use and where you are signed in.">
      <Card title="Profile">
        <dl className="facts">
          <dt>Username</dt><dd>{me.username}</dd>
          <dt>Name</dt><dd>{me.display_name ?? '—'}</dd>
          <dt>Email</dt><dd>{me.email ?? '—'}</dd>
          <dt>Groups</dt><dd>{me.groups.length ? me.groups.map((g) => <GroupTag key={g} group={g} />) : <span className="muted">none</span>}</dd>
          <dt>Role</dt><dd>{me.is_admin ? <Tag tone="info">administrator</Tag> : 'user'}</dd>
        </dl>
      </Card>
      <Tokens />
      <Sessions />
    </Page>
  );
}

function Tokens() {
  const tokens = useLoad(() => api.get<{ tokens: Token[] }>('tokens'), []);
  const [created, setCreated] = useState<{ name: string; token: string }>();
  const revoke = useAction();
  return (
    <Card title="Personal access tokens">
      <p className="muted">
        For the MLflow client and scripts: <code>MLFLOW_TRACKING_URI={window.location.origin}{BASE}</code> and <code>MLFLOW_TRACKING_TOKEN=&lt;token&gt;</code>.
        A token acts with your permissions; a read-only token never writes, a scoped one reaches only the resources you chose.
      </p>
      <CreateToken onCreated={(c) => { setCreated(c); tokens.reload(); }} />
      {created && <NewToken name={`Token “${created.name}” created.`} token={created.token} onDone={() => setCreated(undefined)} />}
      <ErrorBox error={tokens.error ?? revoke.error} onRetry={tokens.reload} />
      {tokens.loading && !tokens.data && <Spinner />}
      {tokens.data && tokens.data.tokens.length === 0 && <Empty title="No tokens yet">Create one above to use MLflow from code.</Empty>}
      {tokens.data && tokens.data.tokens.length > 0 && (
        <table className="table" aria-label="Your tokens">
          <thead><tr><th>Name</th><th>Access</th><th>Created</th><th>Expires</th><th>Last used</th><th><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {tokens.data.tokens.map((t) => (
              <tr key={t.id}>
                <td><strong>{t.name}</strong><div className="muted mono">{t.prefix ?? t.id}…</div></td>
                <td>{t.read_only ? <Tag tone="info">read-only</Tag> : <Tag>your permissions</Tag>}{t.scope && <Tag tone="warn">{t.scope.length} resources</Tag>}</td>
                <td>{time(t.created_at)}</td>
                <td>{relative(t.expires_at)}</td>
                <td>{relative(t.last_used_at)}</td>
                <td className="actions">
                  <ConfirmButton aria-label={`Revoke token ${t.name}`} confirmLabel="Revoke now" onConfirm={() => revoke.run(async () => { await api.del(`tokens/${t.id}`); tokens.reload(); })}>Revoke</ConfirmButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}

function CreateToken({ onCreated }: { onCreated: (c: { name: string; token: string }) => void }) {
  return (
    <TokenForm everything="everything you may reach" onSubmit={async (body) => {
      const res = await api.post<{ token: string; name: string }>('tokens', body);
      onCreated({ name: res.name, token: res.token });
      return true;
    }} />
  );
}

/** The secret, shown exactly once: it is not stored in clear anywhere and cannot be shown again. */
export function NewToken({ name, token, onDone, label = 'New token' }: { name: string; token: string; onDone: () => void; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token);
      setCopied(true);
    } catch {
      (document.getElementById('new-token') as HTMLInputElement | null)?.select();
    }
  };
  return (
    <Notice kind="success">
      <strong>{name}</strong> Copy it now — it will not be shown again.
      <div className="secret">
        <input id="new-token" aria-label={label} readOnly value={token} onFocus={(e) => e.currentTarget.select()} className="mono" />
        <Button variant="primary" small onClick={() => void copy()}>{copied ? 'Copied' : 'Copy'}</Button>
        <Button small onClick={onDone}>Done</Button>
      </div>
    </Notice>
  );
}

function Sessions() {
  const sessions = useLoad(() => api.get<{ sessions: Session[] }>('sessions'), []);
  const end = useAction();
  return (
    <Card title="Browser sessions">
      <ErrorBox error={sessions.error ?? end.error} onRetry={sessions.reload} />
      {sessions.loading && !sessions.data && <Spinner />}
      {sessions.data && sessions.data.sessions.length === 0 && <Empty title="No sessions" />}
      {sessions.data && sessions.data.sessions.length > 0 && <SessionTable sessions={sessions.data.sessions} onEnd={(id) => end.run(async () => { await api.del(`sessions/${id}`); sessions.reload(); })} />}
    </Card>
  );
}

export function SessionTable({ sessions, onEnd }: { sessions: Session[]; onEnd: (id: string) => Promise<unknown> }) {
  return (
    <table className="table" aria-label="Sessions">
      <thead><tr><th>Browser</th><th>Address</th><th>Signed in</th><th>Last active</th><th><span className="sr-only">Actions</span></th></tr></thead>
      <tbody>
        {sessions.map((s) => (
          <tr key={s.id}>
            <td>{browserName(s.user_agent)} {s.current && <Tag tone="good">this browser</Tag>}</td>
            <td className="mono">{s.ip ?? '—'}</td>
            <td>{time(s.created_at)}</td>
            <td>{relative(s.last_seen_at)}</td>
            <td className="actions">{!s.current && <ConfirmButton confirmLabel="End now" onConfirm={() => onEnd(s.id)}>End session</ConfirmButton>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function browserName(ua: string | null): string {
  if (!ua) return 'Unknown browser';
  const m = /(Firefox|Edg|Chrome|Safari)\/[\d.]+/.exec(ua);
  const os = /Windows|Mac OS X|Linux|Android|iPhone/.exec(ua)?.[0] ?? '';
  const name = m ? ({ Edg: 'Edge' } as Record<string, string>)[m[1]!] ?? m[1]! : ua.slice(0, 40);
  return os ? `${name} on ${os.replace('Mac OS X', 'macOS')}` : name;
}
