import { GatewayError } from '../errors/index.js';
// A small "signed in as … · Access & tokens · Sign out" bar injected into MLflow's UI shell (the
// HTML of GET /), so the gateway's own pages can be found from MLflow. Only that one small HTML
// answer is rewritten; everything else streams untouched. The bar is plain HTML styled by a
// same-origin stylesheet — no inline script or style — so a CSP MLflow may send keeps working.
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import type { FastifyReply } from 'fastify';
import type { RequestContext } from '../pipeline/context.js';
import type { Gateway } from '../pipeline/gateway.js';
import { escapeHtml } from '../server/pages.js';

export const DECODERS: Readonly<Record<string, (b: Buffer) => Promise<Buffer>>> = {
  identity: async (b) => b,
  gzip: promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

/** The UI shell is a few hundred bytes; anything much larger is not what we expect: left alone. */
const MAX_SHELL = 2 * 1024 * 1024;

export function isUiShell(ctx: RequestContext, method: string): boolean {
  return method === 'GET' && ctx.route?.rpc === 'serve';
}

/**
 * The bar's markup for one user: a small "● alice" pill that opens a menu (a <details>, so it
 * works without script), plus the same-origin script that handles ended sessions and refusals
 * inside MLflow's UI (src/mlflow-ui/bar-script.ts) and shows its notices above the pill.
 */
export function bannerHtml(gw: Gateway, username: string): string {
  const base = escapeHtml(gw.config.basePath);
  return `<link rel="stylesheet" href="${base}/_gateway/banner.css">`
    + '<nav class="mog-banner" aria-label="MLflow gateway">'
    + '<details class="mog-menu">'
    + `<summary title="Signed in through the gateway as ${escapeHtml(username)}"><span class="mog-user">${escapeHtml(username)}</span></summary>`
    + '<div class="mog-panel">'
    + `<a href="${base}/_gateway/ui/">Access &amp; tokens</a>`
    + `<a href="${base}/_gateway/ui/request-access">Ask for access</a>`
    + `<form method="post" action="${base}/_gateway/logout"><button type="submit">Sign out</button></form>`
    + '</div></details>'
    + '</nav>';
}

/**
 * The bar's script tag, which goes first into <head>: it must wrap fetch and XMLHttpRequest before
 * MLflow's bundle runs (its GraphQL client keeps the fetch it finds at start), and settle the
 * assistant panel before MLflow reads it. It finds the bar itself later, once the page is parsed.
 */
export function bannerScript(gw: Gateway): string {
  const base = escapeHtml(gw.config.basePath);
  return `<script src="${base}/_gateway/banner.js" data-base="${base}" data-assistant="${gw.config.enableAssistant ? 'on' : 'off'}"></script>`;
}

/** Inserts the bar before </body> (or at the end), and the script right after <head> (or at the start). */
export function injectBanner(html: string, banner: string, script = ''): string {
  const at = html.lastIndexOf('</body>');
  const withBar = at < 0 ? html + banner : html.slice(0, at) + banner + html.slice(at);
  if (!script) return withBar;
  const head = /<head(\s[^>]*)?>/i.exec(withBar);
  return head ? withBar.slice(0, head.index + head[0].length) + script + withBar.slice(head.index + head[0].length) : script + withBar;
}

/** reply-from's onResponse for the UI shell: decode, inject, send with correct headers. */
type OnResponse = NonNullable<NonNullable<Parameters<FastifyReply['from']>[1]>['onResponse']>;

export function bannerOnResponse(gw: Gateway, ctx: RequestContext): OnResponse {
  return (req, rep, res): void => {
    const stream = (res as { stream: NodeJS.ReadableStream & AsyncIterable<Buffer> }).stream;
    const encoding = String(rep.getHeader('content-encoding') ?? 'identity').toLowerCase();
    const decode = DECODERS[encoding];
    const html = /^text\/html/i.test(String(rep.getHeader('content-type') ?? ''));
    const user = ctx.principal?.user.username;
    if (rep.statusCode !== 200 || !html || !decode || !user) return void rep.send(stream);
    void (async () => {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of stream) {
        chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
        size += c.length;
        if (size > MAX_SHELL) throw new Error('UI shell larger than expected');
      }
      const page = (await decode(Buffer.concat(chunks))).toString('utf8');
      const body = Buffer.from(injectBanner(page, bannerHtml(gw, user), bannerScript(gw)), 'utf8');
      // The answer is now per user and re-encoded as plain UTF-8: MLflow's validators and length
      // describe other bytes, and no cache may hand one user's bar to another.
      for (const h of ['content-length', 'content-encoding', 'etag', 'last-modified', 'accept-ranges', 'content-md5']) rep.removeHeader(h);
      const vary = rep.getHeader('vary');
      void rep.header('cache-control', 'no-store').header('vary', [vary, 'Cookie'].filter(Boolean).join(', '));
      void rep.send(body);
    })().catch((error: unknown) => {
      req.log.warn({ event: 'ui-banner.error', detail: (error as Error).message }, 'could not add the gateway bar to the MLflow UI');
      if (!rep.sent) void rep.code(502).type('application/json').send(new GatewayError('GW_UPSTREAM_UNAVAILABLE', 'MLflow closed the connection').toJSON());
    });
  };
}

/**
 * The bar's stylesheet. A small pill in the bottom row of MLflow's sidebar, right of MLflow's own
 * user entry (the sidebar is there at every width, so the pill covers no page content); its menu
 * and notices open upwards and never get wider than the screen.
 */
export const BANNER_CSS = `.mog-banner{position:fixed;left:96px;bottom:17px;z-index:2147483000;font:13px/1.3 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.mog-menu summary{list-style:none;display:flex;align-items:center;gap:6px;max-width:92px;box-sizing:border-box;padding:3px 9px;background:#10233f;color:#fff;border-radius:999px;
box-shadow:0 1px 4px rgba(0,0,0,.2);cursor:pointer;opacity:.85}
.mog-menu summary:hover,.mog-menu[open] summary{opacity:1}
.mog-menu summary::-webkit-details-marker{display:none}
.mog-menu summary::before{content:"";flex:none;width:8px;height:8px;border-radius:50%;background:#3ecf8e}
.mog-signed-out .mog-menu summary::before{background:#e0a800}
.mog-user{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.mog-panel{position:absolute;bottom:100%;left:0;margin-bottom:6px;display:flex;flex-direction:column;gap:2px;min-width:180px;padding:6px;background:#fff;color:#1f2933;
border:1px solid #dde1e6;border-radius:8px;box-shadow:0 4px 14px rgba(0,0,0,.18)}
.mog-panel a,.mog-panel button{display:block;width:100%;box-sizing:border-box;text-align:left;padding:6px 8px;border-radius:4px;color:#0b5cad;text-decoration:none;font:inherit;background:none;border:0;cursor:pointer}
.mog-panel a:hover,.mog-panel button:hover{background:#f0f6fd}
.mog-panel form{margin:0}
.mog-notice{position:fixed;left:10px;bottom:56px;display:flex;flex-wrap:wrap;align-items:center;gap:6px 10px;max-width:min(380px,calc(100vw - 20px));box-sizing:border-box;padding:8px 10px;
background:#fff;color:#1f2933;border:1px solid #dde1e6;border-left:4px solid #0b5cad;border-radius:6px;box-shadow:0 4px 14px rgba(0,0,0,.18)}
.mog-notice.mog-deny{border-left-color:#c0392b}.mog-notice.mog-warn{border-left-color:#e0a800}
.mog-notice a{color:#0b5cad;font-weight:600}
.mog-close{margin-left:auto;border:0;background:none;font-size:16px;line-height:1;cursor:pointer;color:#616e7c}
.mog-banner a:focus-visible,.mog-banner button:focus-visible,.mog-menu summary:focus-visible{outline:2px solid #8fc1ff;outline-offset:2px}
@media print{.mog-banner{display:none}}`;
