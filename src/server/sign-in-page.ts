import { escapeHtml } from './pages.js';

export interface SignInChoice {
  readonly id: string;
  readonly displayName: string;
}

/**
 * The page that lets a person choose an identity provider (shown only with two or more). Each
 * button is a link to `/login?provider=<id>` carrying the (already validated) return path.
 * Everything interpolated is escaped; the page has no script.
 */
export function signInPage(opts: { loginUrl: string; returnTo: string; providers: readonly SignInChoice[] }): string {
  const buttons = opts.providers.map((p) => {
    const href = `${opts.loginUrl}?${new URLSearchParams({ provider: p.id, return_to: opts.returnTo }).toString()}`;
    return `<li><a class="provider" href="${escapeHtml(href)}" data-provider="${escapeHtml(p.id)}"><span class="initial" aria-hidden="true">${escapeHtml(initial(p.displayName))}</span><span class="name"><span class="sr">Continue with </span>${escapeHtml(p.displayName)}</span></a></li>`;
  }).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign in · MLflow gateway</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f5f6f8;color:#1f2933;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:32px 40px;width:100%;max-width:440px;box-sizing:border-box;box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:1.3rem;margin:0 0 4px}p{line-height:1.5;margin:0 0 20px}small{color:#616e7c}
ul{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:10px}
.provider{display:flex;align-items:center;gap:12px;border:1px solid #cbd2d9;border-radius:6px;padding:10px 14px;color:#1f2933;text-decoration:none;background:#fff}
.provider:hover{border-color:#0b5cad;background:#f0f6fd}
.provider:focus{outline:3px solid #9cc3f0;outline-offset:1px}
.name{font-weight:600;overflow-wrap:anywhere}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.initial{flex:none;width:28px;height:28px;border-radius:50%;background:#0b5cad;color:#fff;display:flex;align-items:center;justify-content:center;font-weight:600}
</style></head>
<body><main><h1>Sign in to MLflow</h1><p><small>Choose the account you sign in with.</small></p>
<ul>
${buttons}
</ul></main></body></html>`;
}

function initial(name: string): string {
  return [...name.trim()][0]?.toUpperCase() ?? '?';
}
