// The page a signed-out browser gets when it opens MLflow's UI shell: it goes on to sign in at
// once, carrying the URL fragment (MLflow's client-side route, which the server never sees) in
// return_to, so a deep link such as /#/experiments/1/runs/<id> survives the sign-in. The script
// is a same-origin file (no inline script: the CSP stays strict); without script the meta
// refresh and the link still sign in, to the page without its fragment.
import { escapeHtml } from './pages.js';

export const RESUME_PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function resumePage(basePath: string, loginUrl: string): string {
  const login = escapeHtml(loginUrl);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Signing in · MLflow gateway</title>
<noscript><meta http-equiv="refresh" content="0;url=${login}"></noscript>
<script src="${escapeHtml(basePath)}/_gateway/resume.js" data-login="${escapeHtml(`${basePath}/_gateway/login`)}"></script>
<style>body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f5f6f8;color:#1f2933;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
main{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:24px 32px;max-width:440px;margin:16px}a{color:#0b5cad}</style></head>
<body><main><p>Signing you in… <a href="${login}">Continue</a></p></main></body></html>`;
}

/** resume.js: return_to = this page's path, query and fragment; replace() keeps this hop out of history. */
export const RESUME_JS = `(function () {
  var s = document.currentScript;
  var here = location.pathname + location.search + location.hash;
  location.replace(s.getAttribute('data-login') + '?return_to=' + encodeURIComponent(here));
})();
`;
