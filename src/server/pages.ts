// Minimal server-rendered pages for browser-facing errors (sign-in failures, IdP down, denied).
// Everything interpolated is escaped.

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A page that is not an error (signed out, not found): the same look, without an error code. */
export function infoPage(opts: { title: string; message: string; requestId: string; action?: { href: string; label: string } }): string {
  return errorPage({ ...opts, code: '' });
}

export function errorPage(opts: { title: string; message: string; code: string; requestId: string; action?: { href: string; label: string } }): string {
  const action = opts.action ? `<p><a class="button" href="${escapeHtml(opts.action.href)}">${escapeHtml(opts.action.label)}</a></p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(opts.title)} · MLflow gateway</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f5f6f8;color:#1f2933;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:32px 40px;max-width:520px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:1.3rem;margin:0 0 12px}p{line-height:1.5}small{color:#616e7c}
.button{display:inline-block;background:#0b5cad;color:#fff;padding:8px 16px;border-radius:6px;text-decoration:none}
.button:focus{outline:3px solid #9cc3f0}
</style></head>
<body><main><h1>${escapeHtml(opts.title)}</h1><p>${escapeHtml(opts.message)}</p>${action}
${opts.code ? `<p><small>Error ${escapeHtml(opts.code)} · request ${escapeHtml(opts.requestId)}</small></p>` : ''}</main></body></html>`;
}
