// A tiny history router: the app's pages are a handful of paths under <mount>/_gateway/ui/, and
// the gateway answers every one of them with the same page (SPA fallback).
import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';
import { BASE } from './api';

export const UI_ROOT = `${BASE}/_gateway/ui`;

/** The app path ("/users/alice") of the current location. */
export function currentPath(): string {
  const p = window.location.pathname;
  return p.startsWith(UI_ROOT) ? p.slice(UI_ROOT.length) || '/' : '/';
}

export function navigate(path: string): void {
  window.history.pushState(null, '', `${UI_ROOT}${path}`);
  window.dispatchEvent(new PopStateEvent('popstate'));
  window.scrollTo(0, 0);
}

export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const on = () => setPath(currentPath());
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  return path;
}

export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={`${UI_ROOT}${to}`} onClick={onClick} {...rest} />;
}
