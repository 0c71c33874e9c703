// Who has access to one experiment or model, and why (the gateway's `access` answer, computed
// by the same policy as every request), plus the direct grants a manager may change.
import { useState, type FormEvent } from 'react';
import { api, ApiError, LEVELS, qs, type Grant, type Level } from '../api';
import { Button, ConfirmButton, DenyNote, Dialog, Empty, ErrorBox, Field, LevelBadge, Notice, Spinner, Tag, useAction } from '../components/ui';
import { useMe } from '../me';
import { Link } from '../router';
import { LEVEL_HELP, levelLabel, levelOption } from '../levels';
import { useLoad } from '../use-load';
import { GroupNameInput, unknownGroupWarning, useGroupSuggestions, type Suggestions } from '../sharing/GroupNameInput';
import { lowers } from '../sharing/levels';
import { UndoBanner, type Undoable } from '../sharing/undo';
import { isRoleGroup, ROLE_GROUP_NOTE, ROLE_GROUP_SHORT_NOTE } from '../sharing/role-groups';

export interface SharedResource {
  type: string;
  id: string;
  name: string;
}

interface Access {
  default_level: Level;
  users: { username: string; display_name: string | null; kind: string; disabled: boolean; level: Level; source: string; reason: string }[];
  groups: { group: string; level: Level; source: string; reason: string }[];
}

export const SOURCE: Record<string, string> = {
  admin: 'administrator', 'user-grant': 'direct grant', 'group-grant': 'group grant', pattern: 'pattern rule', default: 'default',
  'token-scope': 'token scope', 'token-read-only': 'read-only token',
};

export function ShareDialog({ resource, onClose }: { resource: SharedResource; onClose: () => void }) {
  const me = useMe();
  const key = qs({ resource_type: resource.type, resource_id: resource.id });
  // Ask first whether the user manages it (the policy's answer), rather than provoking a 403.
  const mine = useLoad(async () => (me.is_admin ? undefined : (await api.post<{ decision: { allow: boolean; level: Level; reason: string } }>('explain', {
    user: me.username, action: 'manage', resource: { type: resource.type, id: resource.id, name: resource.name },
  })).decision), [key]);
  const manages = { ...mine, data: mine.loading && !mine.data ? undefined : me.is_admin || mine.data?.allow === true, reload: mine.reload };
  const grants = useLoad(async () => (manages.data ? api.get<{ grants: Grant[] }>(`grants?${key}`) : undefined), [key, manages.data]);
  const access = useLoad(async () => (manages.data ? api.get<Access>(`access?${key}`) : undefined), [key, manages.data]);
  const change = useAction();
  const suggestions = useGroupSuggestions();
  const [last, setLast] = useState<Undoable>();
  const [lowering, setLowering] = useState<{ g: Grant; level: Level }>();
  const [shared, setShared] = useState<string>();
  const reload = () => {
    mine.reload();
    grants.reload();
    access.reload();
  };
  const notManager = manages.data === false || (grants.error instanceof ApiError && grants.error.status === 403);
  /** Whether a grant counts towards the signed-in user's own access (an administrator's never limits them). */
  const reachesMe = (g: Pick<Grant, 'principal_type' | 'principal'>) =>
    !me.is_admin && (g.principal_type === 'user' ? g.principal === me.username : me.groups.includes(g.principal));
  const whose = (g: Pick<Grant, 'principal_type' | 'principal'>) =>
    g.principal_type === 'user' ? (g.principal === me.username ? 'Your grant' : `${g.principal}'s grant`) : `The grant of group ${g.principal}${me.groups.includes(g.principal) ? ' (which you are in)' : ''}`;
  const set = (g: Pick<Grant, 'principal_type' | 'principal'>, level: Level) =>
    change.run(async () => {
      setShared(undefined);
      const res = await api.put<{ previous_level: Level | null; undo: string }>('grants', { principal_type: g.principal_type, principal: g.principal, resource_type: resource.type, resource_id: resource.id, level });
      setLast({ what: res.previous_level ? `${whose(g)} is now ${levelLabel(level)} (was ${levelLabel(res.previous_level)}).` : `Gave ${g.principal_type === 'group' ? `group ${g.principal}` : g.principal} the level ${levelLabel(level)}.`, undo: res.undo });
      reload();
      return res;
    });
  /** A change of level: one that lowers one's own access is confirmed first. */
  const changeLevel = (g: Grant, level: Level) => {
    if (reachesMe(g) && lowers(g.level, level)) setLowering({ g, level });
    else void set(g, level);
  };
  const remove = (g: Grant) =>
    change.run(async () => {
      const res = await api.del<{ undo: string }>('grants', { principal_type: g.principal_type, principal: g.principal, resource_type: resource.type, resource_id: resource.id });
      setLast({ what: `${whose(g)} (${levelLabel(g.level)}) was removed.`, undo: res.undo });
      reload();
    });
  const add = async (g: Pick<Grant, 'principal_type' | 'principal'>, level: Level) => {
    const res = await set(g, level);
    if (res) setShared(g.principal_type === 'user' ? `Shared with ${g.principal}. Someone who has not signed in yet gets it at their first sign-in with this username or verified email.` : `Shared with group ${g.principal}.`);
    return res;
  };
  const what = resource.type === 'experiment' ? 'experiment' : 'model';
  return (
    <Dialog title={`Access to ${resource.name}`} onClose={onClose} wide>
      {last && <UndoBanner key={last.undo} change={last} onUndone={reload} onDismiss={() => setLast(undefined)} />}
      {lowering && (
        <div className="notice warning" role="alertdialog" aria-label="Lower your own access?">
          <p><strong>This lowers your own access.</strong> {whose(lowering.g)} goes from {levelLabel(lowering.g.level)} to {levelLabel(lowering.level)}
            {lowering.g.level === 'MANAGE' ? '; you may no longer be able to see or change who has access to this' : ''}. You can undo it right after.</p>
          <div className="row-actions">
            <Button variant="danger" small busy={change.busy} onClick={() => { const l = lowering; setLowering(undefined); void set(l.g, l.level); }}>Lower my access</Button>
            <Button small onClick={() => setLowering(undefined)}>Cancel</Button>
          </div>
        </div>
      )}
      <ErrorBox error={manages.error} onRetry={manages.reload} />
      {manages.loading && manages.data === undefined ? <Spinner /> : notManager ? (
        <Notice kind="info">
          {mine.data && <p className="own-level">Your access: <LevelBadge level={mine.data.level} /> <span className="muted">{mine.data.reason}</span></p>}
          Only managers of this {what} ({levelLabel('MANAGE')}) and administrators can see or change who has access.{' '}
          <Link to={`/access-requests?${qs({ resource_type: resource.type, resource_id: resource.id, level: 'MANAGE' })}`} onClick={onClose}>Ask its managers for more access</Link>.
        </Notice>
      ) : (
        <>
          <section aria-labelledby="share-grants">
            <h3 id="share-grants">Direct grants</h3>
            <ErrorBox error={(grants.error && !notManager ? grants.error : undefined) ?? change.error} />
            {grants.loading && !grants.data && <Spinner />}
            {grants.data && grants.data.grants.length === 0 && <Empty title="No direct grants">Share it below.</Empty>}
            {grants.data && grants.data.grants.length > 0 && (
              <table className="table compact" aria-label="Direct grants">
                <thead><tr><th>Who</th><th>Level</th><th><span className="sr-only">Actions</span></th></tr></thead>
                <tbody>
                  {grants.data.grants.map((g) => g.principal_type === 'group' && isRoleGroup(g.principal) ? (
                    <tr key={`${g.principal_type}:${g.principal}`}>
                      <td><Tag tone="info">MLflow role</Tag> {g.principal} <div className="muted small">{ROLE_GROUP_SHORT_NOTE}</div></td>
                      <td><LevelBadge level={g.level} /></td>
                      <td />
                    </tr>
                  ) : (
                    <tr key={`${g.principal_type}:${g.principal}`}>
                      <td><Tag tone={g.principal_type === 'group' ? 'info' : 'neutral'}>{g.principal_type}</Tag> {g.principal}</td>
                      <td>
                        <select aria-label={`Level of ${g.principal}`} value={g.level} disabled={change.busy || lowering !== undefined} onChange={(e) => changeLevel(g, e.target.value as Level)}>
                          {LEVELS.map((l) => <option key={l} value={l}>{levelLabel(l)}</option>)}
                        </select>
                        {g.level === 'DENY' && <> <LevelBadge level="DENY" /></>}
                      </td>
                      <td className="actions"><ConfirmButton aria-label={`Remove the grant of ${g.principal}`} confirmLabel="Remove" onConfirm={() => remove(g)}>Remove</ConfirmButton></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <AddGrant busy={change.busy} suggestions={suggestions.data} onAdd={add} />
            {shared && <Notice kind="success">{shared}</Notice>}
            <DenyNote />
          </section>
          <section aria-labelledby="share-who">
            <h3 id="share-who">Who can read it, and why</h3>
            <ErrorBox error={access.error} onRetry={access.reload} />
            {access.loading && !access.data && <Spinner />}
            {access.data && <WhoHasAccess access={access.data} />}
          </section>
        </>
      )}
      <div className="dialog-foot"><Button onClick={onClose}>Close</Button></div>
    </Dialog>
  );
}

function AddGrant({ onAdd, busy, suggestions }: { onAdd: (g: Pick<Grant, 'principal_type' | 'principal'>, level: Level) => Promise<unknown>; busy: boolean; suggestions: Suggestions | undefined }) {
  const [type, setType] = useState<'user' | 'group'>('group');
  const [name, setName] = useState('');
  const [level, setLevel] = useState<Level>('READ');
  // An unknown group name is shown before anything is granted; a second click shares anyway.
  const [warned, setWarned] = useState<string>();
  // A role's group is refused by the admin API: said at once, and nothing to click.
  const reserved = type === 'group' && isRoleGroup(name);
  const warning = type === 'group' && !reserved ? unknownGroupWarning(name, suggestions) : undefined;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const principal = name.trim();
    if (reserved) return;
    if (warning && warned !== principal) return setWarned(principal);
    const ok = await onAdd({ principal_type: type, principal }, level);
    if (ok) {
      setName('');
      setWarned(undefined);
    }
  };
  const confirming = warning !== undefined && warned === name.trim();
  return (
    <form className="inline-form" onSubmit={(e) => void submit(e)} aria-label="Share">
      <Field label="Share with">
        <select value={type} onChange={(e) => setType(e.target.value as 'user' | 'group')}><option value="group">Group</option><option value="user">User</option></select>
      </Field>
      {type === 'group'
        ? <Field label="Group name"><GroupNameInput value={name} onChange={setName} suggestions={suggestions} /></Field>
        : <Field label="Username or email" hint="Also people who have not signed in yet"><input value={name} onChange={(e) => setName(e.target.value)} required placeholder="alice or alice@example.com" autoComplete="off" /></Field>}
      <Field label="Level">
        <select value={level} onChange={(e) => setLevel(e.target.value as Level)}>{LEVELS.map((l) => <option key={l} value={l}>{levelOption(l)}</option>)}</select>
      </Field>
      <Button type="submit" variant={confirming ? 'danger' : 'primary'} busy={busy} disabled={reserved}>{confirming ? 'Share anyway' : 'Share'}</Button>
      {reserved && <div className="notice warning form-warning" role="alert">{ROLE_GROUP_NOTE}</div>}
      {warning && warned === name.trim() && <div className="notice warning form-warning" role="alert">{warning}</div>}
    </form>
  );
}

function WhoHasAccess({ access }: { access: Access }) {
  return (
    <>
      {access.users.length === 0 ? <Empty title="Nobody but administrators" /> : (
        <table className="table compact" aria-label="Users with access">
          <thead><tr><th>User</th><th>Level</th><th>Because of</th></tr></thead>
          <tbody>
            {access.users.map((u) => (
              <tr key={u.username}>
                <td>{u.username}{u.kind === 'service' && <Tag tone="info">service</Tag>}{u.disabled && <Tag tone="bad">disabled</Tag>}</td>
                <td><LevelBadge level={u.level} /></td>
                <td><Because source={u.source} reason={u.reason} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {access.groups.length > 0 && (
        <table className="table compact" aria-label="Groups with access">
          <thead><tr><th>Group</th><th>Level</th><th>Because of</th></tr></thead>
          <tbody>
            {access.groups.map((g) => (
              <tr key={g.group}><td>{g.group}</td><td><LevelBadge level={g.level} /></td><td><Because source={g.source} reason={g.reason} /></td></tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted">Everyone else who is signed in: <LevelBadge level={access.default_level} /> ({LEVEL_HELP[access.default_level] ?? access.default_level}; the gateway's default).</p>
    </>
  );
}

/** The source as a tag, and the policy's reason when it says more than the tag. */
function Because({ source, reason }: { source: string; reason: string }) {
  const label = SOURCE[source] ?? source;
  return <><Tag>{label}</Tag> {reason !== label && <span className="muted">{reason.replace(/^(group grant|user grant|pattern): /, '')}</span>}</>;
}
