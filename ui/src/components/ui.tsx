// The small set of building blocks every page uses, so pages look and behave alike: titles,
// cards, loading and empty states, errors in place, level badges, buttons and dialogs.
import { useEffect, useRef, useState, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { ApiError, signInAgainUrl } from '../api';
import { LEVEL_HELP, levelLabel } from '../levels';

export function Page({ title, intro, actions, children }: { title: string; intro?: ReactNode; actions?: ReactNode; children: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · MLflow gateway`;
  }, [title]);
  return (
    <main className="page" aria-labelledby="page-title">
      <header className="page-head">
        <div>
          <h1 id="page-title" tabIndex={-1}>{title}</h1>
          {intro && <p className="intro">{intro}</p>}
        </div>
        {actions && <div className="page-actions">{actions}</div>}
      </header>
      {children}
    </main>
  );
}

export function Card({ title, actions, children }: { title?: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <section className="card">
      {(title || actions) && (
        <div className="card-head">
          {title && <h2>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </div>
      )}
      {children}
    </section>
  );
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

/** A heading people understand for each kind of refusal, instead of "Something went wrong" for all. */
function errorTitle(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong';
  if (error.status === 400) return 'Please check the input';
  if (error.status === 401) return error.code === 'GW_SESSION_EXPIRED' ? 'Your session has ended' : 'You are signed out';
  if (error.status === 403) return 'Not allowed';
  if (error.status === 404) return 'Not found';
  if (error.status === 409) return 'Already done or changed meanwhile';
  if (error.status === 429) return 'Too many attempts';
  return error.status >= 500 ? 'The gateway could not do this now' : 'Something went wrong';
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  const e = error as Error;
  // The stable code is for support and logs: shown small, and only for errors that are not the user's input.
  const code = error instanceof ApiError && error.status >= 500 ? error.code : undefined;
  return (
    <div className="error" role="alert" title={error instanceof ApiError ? error.code : undefined}>
      <strong>{errorTitle(error)}</strong>
      <span>{e.message}</span>
      {code && <code>{code}</code>}
      {error instanceof ApiError && error.status === 401 && <a className="btn small" href={signInAgainUrl()}>Sign in again</a>}
      {onRetry && <button type="button" className="btn small" onClick={onRetry}>Try again</button>}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <strong>{title}</strong>
      {children && <p>{children}</p>}
    </div>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'success' | 'warning'; children: ReactNode }) {
  return <div className={`notice ${kind}`} role={kind === 'success' ? 'status' : undefined}>{children}</div>;
}

/** A level with its human label and, on hover, what it allows; DENY is set apart (solid red, bold). */
export function LevelBadge({ level }: { level: string }) {
  const cls = `badge level-${(level === 'NONE' ? 'NO_PERMISSIONS' : level).toLowerCase()}`;
  return (
    <span className={cls} title={LEVEL_HELP[level]}>
      {levelLabel(level)}
    </span>
  );
}

/** The explanation of DENY, shown next to lists that can hold one. */
export function DenyNote() {
  return <p className="muted deny-note"><LevelBadge level="DENY" /> {LEVEL_HELP.DENY}; on an experiment or model it also blocks everything inside it.</p>;
}

export function Tag({ children, tone = 'neutral' }: { children: ReactNode; tone?: 'neutral' | 'good' | 'bad' | 'info' | 'warn' }) {
  return <span className={`tag ${tone}`}>{children}</span>;
}

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & { variant?: 'primary' | 'secondary' | 'danger' | 'ghost'; small?: boolean; busy?: boolean };

export function Button({ variant = 'secondary', small, busy, children, className, disabled, type = 'button', ...rest }: ButtonProps) {
  return (
    <button type={type} className={`btn ${variant}${small ? ' small' : ''}${className ? ` ${className}` : ''}`} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {busy && <span className="spinner small" aria-hidden="true" />}
      {children}
    </button>
  );
}

/** A destructive action that asks for a second click instead of a browser dialog. */
export function ConfirmButton({ onConfirm, children, confirmLabel, ...rest }: Omit<ButtonProps, 'onClick'> & { onConfirm: () => Promise<unknown> | void; confirmLabel?: string }) {
  const [armed, setArmed] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!armed) return;
    const t = setTimeout(() => setArmed(false), 4000);
    return () => clearTimeout(t);
  }, [armed]);
  const click = async () => {
    if (!armed) return setArmed(true);
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      setArmed(false);
    }
  };
  return (
    <Button variant={armed ? 'danger' : 'secondary'} small busy={busy} onClick={() => void click()} {...rest}
      aria-label={armed && rest['aria-label'] ? `Confirm: ${rest['aria-label']}` : rest['aria-label']}>
      {armed ? (confirmLabel ?? 'Click to confirm') : children}
    </Button>
  );
}

export function Dialog({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  // The latest onClose, so that focus is set once per opening, not again on every parent render.
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>('input, select, button:not(.dialog-close), [tabindex="0"]');
    (first ?? ref.current)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close.current();
      if (e.key !== 'Tab' || !ref.current) return;
      // Keep keyboard focus inside the dialog while it is open.
      const items = [...ref.current.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input, select, textarea, [tabindex="0"]')];
      const [head, tail] = [items[0], items[items.length - 1]];
      if (e.shiftKey && document.activeElement === head) (e.preventDefault(), tail?.focus());
      else if (!e.shiftKey && document.activeElement === tail) (e.preventDefault(), head?.focus());
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      previous?.focus();
    };
  }, []);
  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`dialog${wide ? ' wide' : ''}`} role="dialog" aria-modal="true" aria-labelledby="dialog-title" ref={ref} tabIndex={-1}>
        <div className="dialog-head">
          <h2 id="dialog-title">{title}</h2>
          <button type="button" className="dialog-close" aria-label="Close" onClick={onClose}>×</button>
        </div>
        {children}
      </div>
    </div>
  );
}

export function Field({ label, hint, children }: { label: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      {children}
      {hint && <span className="hint">{hint}</span>}
    </label>
  );
}

export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function relative(iso: string | null | undefined): string {
  if (!iso) return 'never';
  const s = (Date.now() - new Date(iso).getTime()) / 1000;
  const future = s < 0;
  const a = Math.abs(s);
  const [n, unit] = a < 60 ? [Math.round(a), 'second'] : a < 3600 ? [Math.round(a / 60), 'minute'] : a < 86400 ? [Math.round(a / 3600), 'hour'] : [Math.round(a / 86400), 'day'];
  const text = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return future ? `in ${text}` : `${text} ago`;
}

/** Runs an async action with busy and error state, for forms and buttons. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const run = async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await fn();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, setError };
}
