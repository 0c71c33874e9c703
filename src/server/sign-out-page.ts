import { escapeHtml } from './pages.js';

/**
 * The page GET /_gateway/logout shows: one button that POSTs the sign-out form (no script). A GET
 * never signs anyone out, so an `<img src=…/logout>` on any same-site page cannot end a session.
 */
export function signOutPage(opts: { logoutUrl: string; homeUrl: string; username: string | undefined }): string {
  const who = opts.username ? `You are signed in as <strong>${escapeHtml(opts.username)}</strong>.` : 'You are not signed in on this browser.';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign out · MLflow gateway</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f5f6f8;color:#1f2933;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:32px 40px;max-width:440px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:1.3rem;margin:0 0 12px}p{line-height:1.5}
button{background:#0b5cad;color:#fff;border:0;padding:8px 16px;border-radius:6px;font:inherit;cursor:pointer}
button:focus{outline:3px solid #9cc3f0;outline-offset:1px}a{color:#0b5cad;margin-left:12px}
</style></head>
<body><main><h1>Sign out of MLflow</h1><p>${who}</p>
<form method="post" action="${escapeHtml(opts.logoutUrl)}"><button type="submit">Sign out</button><a href="${escapeHtml(opts.homeUrl)}">Cancel</a></form>
</main></body></html>`;
}
