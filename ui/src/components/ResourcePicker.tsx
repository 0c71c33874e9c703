// Pick an MLflow resource by name: a search box that asks MLflow (through the gateway, so only
// what the signed-in user may read is offered) and lists matches to choose from. Reusable by any
// page that needs "which experiment / model / prompt / endpoint / workspace?".
import { useEffect, useId, useState } from 'react';
import { find, type Found, type Pickable } from '../mlflow-resources';
import { typeLabel } from '../type-labels';

export function ResourcePicker({ type, value, onChange, label }: { type: Pickable; value: Found | undefined; onChange: (r: Found | undefined) => void; label?: string }) {
  const [q, setQ] = useState(value?.name ?? '');
  const [open, setOpen] = useState(false);
  const [found, setFound] = useState<{ q: string; items: Found[]; error?: string }>();
  const listId = useId();
  useEffect(() => setQ(value?.name ?? ''), [value?.type, value?.id, value?.name]);
  useEffect(() => {
    if (!open) return;
    // Debounced: one search per pause in typing, the latest answer wins.
    let live = true;
    const t = setTimeout(() => {
      find(type, q.trim()).then(
        (items) => live && setFound({ q, items: items.slice(0, 12) }),
        (e: Error) => live && setFound({ q, items: [], error: e.message }),
      );
    }, 200);
    return () => { live = false; clearTimeout(t); };
  }, [type, q, open]);
  const pick = (r: Found) => {
    onChange(r);
    setQ(r.name);
    setOpen(false);
  };
  return (
    <div className="picker">
      <input
        type="search" role="combobox" aria-expanded={open} aria-controls={listId} aria-autocomplete="list"
        aria-label={label ?? `Find the ${typeLabel(type)} by name`} placeholder={`Search ${typeLabel(type)}s by name`}
        value={q} onFocus={() => setOpen(true)}
        onChange={(e) => { setQ(e.target.value); setOpen(true); if (value) onChange(undefined); }}
        onKeyDown={(e) => { if (e.key === 'Escape') setOpen(false); if (e.key === 'Enter' && open && found?.items[0]) { e.preventDefault(); pick(found.items[0]); } }}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      {open && found && (
        <ul className="picker-list" id={listId} role="listbox">
          {found.error && <li className="muted">{found.error}</li>}
          {!found.error && found.items.length === 0 && <li className="muted">No {typeLabel(type)} you can see matches</li>}
          {found.items.map((r) => (
            <li key={r.id} role="option" aria-selected={value?.id === r.id} onMouseDown={(e) => { e.preventDefault(); pick(r); }}>
              <strong>{r.name}</strong>{r.detail && <span className="muted"> · {r.detail}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
