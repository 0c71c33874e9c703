// The audit log with filters, "load more" paging and CSV/JSON export. Administrators see every
// event; everyone else their own (the API pins the actor).
import { useState, type FormEvent } from 'react';
import { api, API, qs, type AuditEvent } from '../api';
import { Button, Card, Empty, ErrorBox, Field, Page, Spinner, Tag, useAction } from '../components/ui';
import { useMe } from '../me';
import { useLoad } from '../use-load';

interface Filters {
  actor: string;
  action: string;
  decision: string;
  resource: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { actor: '', action: '', decision: '', resource: '', from: '', to: '' };
const TONE = { allow: 'good', deny: 'bad', info: 'neutral' } as const;

/** Filters live in the address (?actor=…&decision=deny), so a filtered view can be bookmarked and shared. */
function filtersFromUrl(): Filters {
  const p = new URLSearchParams(window.location.search);
  return Object.fromEntries(Object.keys(EMPTY).map((k) => [k, p.get(k) ?? ''])) as unknown as Filters;
}

function keepInUrl(f: Filters): void {
  const search = qs({ ...f });
  window.history.replaceState(null, '', `${window.location.pathname}${search ? `?${search}` : ''}`);
}

export function AuditPage() {
  const me = useMe();
  const [draft, setDraft] = useState<Filters>(filtersFromUrl);
  const [filters, setFiltersState] = useState<Filters>(filtersFromUrl);
  const setFilters = (f: Filters) => {
    keepInUrl(f);
    setFiltersState(f);
  };
  const [more, setMore] = useState<{ events: AuditEvent[]; cursor: string | null }>();
  const query = { ...filters, to: inclusiveEnd(filters.to) };
  const first = useLoad(() => api.get<{ events: AuditEvent[]; next_cursor: string | null }>(`audit?${qs({ ...query, limit: 50 })}`), [filters]);
  const next = useAction();
  const events = [...(first.data?.events ?? []), ...(more?.events ?? [])];
  const cursor = more ? more.cursor : first.data?.next_cursor ?? null;
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setMore(undefined);
    setFilters(draft);
  };
  const loadMore = () => next.run(async () => {
    const page = await api.get<{ events: AuditEvent[]; next_cursor: string | null }>(`audit?${qs({ ...query, limit: 50, cursor: cursor ?? undefined })}`);
    setMore({ events: [...(more?.events ?? []), ...page.events], cursor: page.next_cursor });
  });
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  const exportUrl = (format: 'csv' | 'json') => `${API}/audit/export?${qs({ ...query, format })}`;
  return (
    <Page
      title="Audit log"
      intro={me.is_admin ? 'Sign-ins, tokens, grant changes, administrator actions, every denied request and every allowed write through the gateway.' : 'Your own activity: sign-ins, tokens, changes you made and requests that were refused.'}
      actions={<><a className="btn secondary" href={exportUrl('csv')} download>Export CSV</a><a className="btn secondary" href={exportUrl('json')} download>Export JSON</a></>}
    >
      <Card>
        <form className="filters" onSubmit={apply} aria-label="Filter the audit log">
          {me.is_admin && <Field label="Actor"><input value={draft.actor} onChange={set('actor')} placeholder="username" /></Field>}
          <Field label="Action"><input value={draft.action} onChange={set('action')} placeholder="request.* (prefix)" title="An exact action, or a prefix ending in *" /></Field>
          <Field label="Decision">
            <select value={draft.decision} onChange={set('decision')}><option value="">any</option><option value="allow">allow</option><option value="deny">deny</option><option value="info">info</option></select>
          </Field>
          <Field label="Resource"><input value={draft.resource} onChange={set('resource')} placeholder="experiment:12" /></Field>
          <Field label="From (UTC)"><input type="date" value={draft.from} onChange={set('from')} /></Field>
          <Field label="To (UTC, inclusive)"><input type="date" value={draft.to} onChange={set('to')} /></Field>
          <div className="filter-buttons">
            <Button type="submit" variant="primary">Apply</Button>
            <Button onClick={() => { setDraft(EMPTY); setMore(undefined); setFilters(EMPTY); }}>Clear</Button>
          </div>
        </form>
      </Card>
      <Card>
        <ErrorBox error={first.error ?? next.error} onRetry={first.reload} />
        {first.loading && !first.data && <Spinner />}
        {first.data && events.length === 0 && <Empty title="No events">Nothing matches these filters.</Empty>}
        {events.length > 0 && (
          <table className="table audit" aria-label="Audit events">
            <thead><tr><th>Time</th><th>Actor</th><th>Action</th><th>Resource</th><th>Decision</th><th>Details</th></tr></thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.seq}>
                  <td className="nowrap">{timeWithSeconds(e.time)}</td>
                  <td>{e.actor ?? <span className="muted">anonymous</span>}</td>
                  <td className="mono">{e.action}</td>
                  <td className="mono resource" title={e.resource ?? undefined}>{e.resource ?? '—'}</td>
                  <td><Tag tone={TONE[e.decision]}>{e.decision}</Tag></td>
                  <td className="details"><span className="reason">{e.reason ?? ''}</span><div className="muted small">{e.client_ip ?? ''}{e.request_id ? ` · ${e.request_id.slice(0, 8)}` : ''}</div></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {cursor && <div className="more"><Button onClick={() => void loadMore()} busy={next.busy}>Load older events</Button></div>}
      </Card>
    </Page>
  );
}

const timeWithSeconds = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** The API's `to` is exclusive; a picked day means up to the end of that day. */
function inclusiveEnd(day: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return day;
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}
