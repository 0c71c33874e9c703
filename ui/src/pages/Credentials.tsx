// Administrators: every active token and every signed-in browser session, of everyone, with
// revoke / end. For incident response ("revoke all of bob's tokens") and for spotting old ones.
import { useMemo, useState } from 'react';
import { api, type Session, type Token } from '../api';
import { Card, ConfirmButton, Empty, ErrorBox, Notice, Page, Spinner, useAction } from '../components/ui';
import { Link } from '../router';
import { useLoad } from '../use-load';
import { SessionTable } from './Profile';
import { TokenTable } from './ServiceAccount';

type OwnedToken = Token & { owner: string | null; revoked_at: string | null };
type OwnedSession = Session & { user: string };

export function CredentialsPage() {
  const tokens = useLoad(() => api.get<{ tokens: OwnedToken[] }>('tokens?all=true'), []);
  const sessions = useLoad(() => api.get<{ sessions: OwnedSession[] }>('sessions?all=true'), []);
  const act = useAction();
  const [who, setWho] = useState('');
  const [done, setDone] = useState<string>();
  const match = (name: string | null) => !who.trim() || (name ?? '').toLowerCase().includes(who.trim().toLowerCase());
  const liveTokens = useMemo(() => (tokens.data?.tokens ?? []).filter((t) => !t.revoked_at && new Date(t.expires_at).getTime() > Date.now() && match(t.owner)), [tokens.data, who]);
  const bySession = useMemo(() => {
    const groups = new Map<string, OwnedSession[]>();
    for (const s of sessions.data?.sessions ?? []) if (match(s.user)) groups.set(s.user, [...(groups.get(s.user) ?? []), s]);
    return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [sessions.data, who]);
  const owner = who.trim() && liveTokens.length > 0 && liveTokens.every((t) => t.owner === liveTokens[0]!.owner) ? liveTokens[0]!.owner : null;
  return (
    <Page title="Tokens & sessions" intro="Every active personal-access and service-account token, and every signed-in browser, of everyone. Revoking takes effect at once on every replica.">
      <Card>
        <div className="toolbar">
          <label className="search">
            <span className="sr-only">Filter by user</span>
            <input type="search" placeholder="Filter by username" value={who} onChange={(e) => setWho(e.target.value)} />
          </label>
          {owner && (
            <ConfirmButton confirmLabel={`Revoke all of ${owner}'s tokens`} onConfirm={() => act.run(async () => {
              const res = await api.del<{ revoked: number }>(`tokens?user=${encodeURIComponent(owner)}`);
              setDone(`${res.revoked} token(s) of ${owner} revoked.`);
              tokens.reload();
            })}>Revoke all of {owner}'s tokens</ConfirmButton>
          )}
        </div>
        {done && <Notice kind="success">{done}</Notice>}
        <ErrorBox error={act.error} />
      </Card>
      <Card title={`Active tokens${tokens.data ? ` (${liveTokens.length})` : ''}`}>
        <ErrorBox error={tokens.error} onRetry={tokens.reload} />
        {tokens.loading && !tokens.data && <Spinner />}
        {tokens.data && <TokenTable owner tokens={liveTokens} onRevoke={(id) => act.run(async () => { await api.del(`tokens/${id}`); tokens.reload(); })} />}
      </Card>
      <Card title="Browser sessions">
        <ErrorBox error={sessions.error} onRetry={sessions.reload} />
        {sessions.loading && !sessions.data && <Spinner />}
        {sessions.data && bySession.length === 0 && <Empty title={who ? 'No session of a matching user' : 'Nobody is signed in'} />}
        {bySession.map(([user, list]) => (
          <section key={user} aria-label={`Sessions of ${user}`}>
            <h3><Link to={`/users/${encodeURIComponent(user)}`}>{user}</Link></h3>
            <div className="table-wrap"><SessionTable sessions={list} onEnd={(id) => act.run(async () => { await api.del(`sessions/${id}`); sessions.reload(); })} /></div>
          </section>
        ))}
      </Card>
    </Page>
  );
}
