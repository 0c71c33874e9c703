// Administrators: the direct grants of one user, group or service account, by resource name, with
// level changes, removal (each with Undo) and a form to grant more with a resource picker; only
// listed (readOnly) for an MLflow role's group, whose grants the admin API refuses to change.
import { useState, type FormEvent } from 'react';
import { api, LEVELS, qs, type Grant, type Level } from '../api';
import { Button, Empty, ErrorBox, Field, LevelBadge, useAction } from '../components/ui';
import { levelLabel, levelOption } from '../levels';
import { useLoad } from '../use-load';
import { nameOf, useResourceNames } from './names';
import { typeLabel } from '../type-labels';
import { ResourcePicker, type PickedResource } from './ResourcePicker';
import { UndoBanner, type Undoable } from './undo';

export function PrincipalGrants({ principalType, principal, onChange, readOnly = false }: { principalType: 'user' | 'group'; principal: string; onChange?: () => void; readOnly?: boolean }) {
  const grants = useLoad(() => api.get<{ grants: Grant[] }>(`grants?${qs({ principal_type: principalType, principal })}`), [principalType, principal]);
  const names = useResourceNames(grants.data?.grants);
  const act = useAction();
  const [last, setLast] = useState<Undoable>();
  const reload = () => {
    grants.reload();
    onChange?.();
  };
  const label = (g: Pick<Grant, 'resource_type' | 'resource_id'>) => nameOf(names, g.resource_type, g.resource_id);
  const set = (r: Pick<Grant, 'resource_type' | 'resource_id'>, level: Level, name: string) => act.run(async () => {
    const res = await api.put<{ previous_level: Level | null; undo: string }>('grants', { principal_type: principalType, principal, resource_type: r.resource_type, resource_id: r.resource_id, level });
    setLast({ what: `${principal} now has the level ${levelLabel(level)} on ${typeLabel(r.resource_type)} ${name}${res.previous_level ? ` (was ${levelLabel(res.previous_level)})` : ''}.`, undo: res.undo });
    reload();
  });
  const remove = (g: Grant) => act.run(async () => {
    const res = await api.del<{ undo: string }>('grants', { principal_type: principalType, principal, resource_type: g.resource_type, resource_id: g.resource_id });
    setLast({ what: `Removed ${principal}'s ${levelLabel(g.level)} grant on ${typeLabel(g.resource_type)} ${label(g)}.`, undo: res.undo });
    reload();
  });
  const rows = grants.data?.grants ?? [];
  return (
    <div className="principal-grants">
      {last && <UndoBanner change={last} onUndone={reload} onDismiss={() => setLast(undefined)} />}
      <ErrorBox error={grants.error ?? act.error} onRetry={grants.error ? grants.reload : undefined} />
      {grants.data && rows.length === 0 && <Empty title="No direct grants" />}
      {rows.length > 0 && (
        <table className="table compact" aria-label={`Grants of ${principal}`}>
          <thead><tr><th>Resource</th><th>Level</th>{!readOnly && <th><span className="sr-only">Actions</span></th>}</tr></thead>
          <tbody>
            {rows.map((g) => (
              <tr key={`${g.resource_type}:${g.resource_id}`}>
                <td><span className="tag neutral">{typeLabel(g.resource_type)}</span> <strong>{label(g)}</strong>{label(g) !== g.resource_id && <span className="muted"> · id {g.resource_id}</span>}{names[`${g.resource_type}:${g.resource_id}`]?.deleted && <span className="muted"> · deleted</span>}</td>
                {readOnly ? <td><LevelBadge level={g.level} /></td> : (
                  <>
                    <td>
                      <select aria-label={`Level on ${label(g)}`} value={g.level} disabled={act.busy} onChange={(e) => void set(g, e.target.value as Level, label(g))}>
                        {LEVELS.map((l) => <option key={l} value={l}>{levelLabel(l)}</option>)}
                      </select>
                    </td>
                    <td className="actions"><Button small aria-label={`Revoke ${label(g)}`} onClick={() => void remove(g)}>Revoke</Button></td>
                  </>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!readOnly && <AddGrant principal={principal} busy={act.busy} onAdd={(r, level) => set({ resource_type: r.type, resource_id: r.id }, level, r.name)} />}
    </div>
  );
}

function AddGrant({ principal, busy, onAdd }: { principal: string; busy: boolean; onAdd: (r: PickedResource, level: Level) => Promise<unknown> }) {
  const [picked, setPicked] = useState<PickedResource>();
  const [level, setLevel] = useState<Level>('READ');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!picked) return;
    await onAdd(picked, level);
    setPicked(undefined);
  };
  return (
    <form className="grant-form" aria-label={`Grant ${principal} access`} onSubmit={(e) => void submit(e)}>
      <h4>Grant access</h4>
      <ResourcePicker picked={picked} onPick={setPicked} />
      <div className="inline-form">
        <Field label="Level">
          <select value={level} onChange={(e) => setLevel(e.target.value as Level)}>{LEVELS.map((l) => <option key={l} value={l}>{levelOption(l)}</option>)}</select>
        </Field>
        <Button type="submit" variant="primary" busy={busy} disabled={!picked}>{picked ? `Grant on ${picked.name}` : 'Pick a resource'}</Button>
      </div>
    </form>
  );
}
