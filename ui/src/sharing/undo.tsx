// The "Undo" after a grant change: the change's answer carries a single-use ticket (POST
// grants/undo restores the grant exactly, also after one lowered one's own MANAGE).
import { useState } from 'react';
import './sharing.css';
import { api } from '../api';
import { Button, ErrorBox, Notice, useAction } from '../components/ui';

export interface Undoable {
  /** What was done, in words ("Your grant is now Read (was Manage)"): level labels, never the raw enums. */
  readonly what: string;
  readonly undo: string;
}

export function UndoBanner({ change, onUndone, onDismiss }: { change: Undoable; onUndone: () => void; onDismiss: () => void }) {
  const act = useAction();
  const [undone, setUndone] = useState(false);
  if (undone) return <Notice kind="success"><span>Undone: the grant is as it was.</span> <Button small variant="ghost" onClick={onDismiss}>Dismiss</Button></Notice>;
  return (
    <div className="undo-banner" role="status">
      <span>{change.what}</span>
      <span className="undo-actions">
        <Button small variant="primary" busy={act.busy} onClick={() => void act.run(async () => {
          await api.post('grants/undo', { undo: change.undo });
          setUndone(true);
          onUndone();
        })}>Undo</Button>
        <Button small variant="ghost" onClick={onDismiss} aria-label="Dismiss">×</Button>
      </span>
      <ErrorBox error={act.error} />
    </div>
  );
}
