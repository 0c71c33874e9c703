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

const DECODERS: Readonly<Record<string, (b: Buffer) => Promise<Buffer>>> = {
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

/** The bar's markup for one user. */
export function bannerHtml(gw: Gateway, username: string): string {
  const base = gw.config.basePath;
  return `<link rel="stylesheet" href="${base}/_gateway/banner.css">`
    + '<nav class="mog-banner" aria-label="MLflow gateway">'
    + `<span class="mog-user" title="Signed in through the gateway">${escapeHtml(username)}</span>`
    + `<a href="${base}/_gateway/ui/">Access &amp; tokens</a>`
    + `<form method="post" action="${base}/_gateway/logout"><button type="submit">Sign out</button></form>`
    + '</nav>';
}

/** Inserts the bar before </body> (or at the end); undefined when the page is not HTML text. */
export function injectBanner(html: string, banner: string): string {
  const at = html.lastIndexOf('</body>');
  return at < 0 ? html + banner : html.slice(0, at) + banner + html.slice(at);
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
      const body = Buffer.from(injectBanner(page, bannerHtml(gw, user)), 'utf8');
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

/** The bar's stylesheet: fixed at the bottom centre, where MLflow's layout has no controls (its sidebar keeps Docs and Settings bottom-left). */
export const BANNER_CSS = `.mog-banner{position:fixed;left:50%;transform:translateX(-50%);bottom:12px;z-index:2147483000;display:flex;align-items:center;gap:10px;
padding:6px 8px 6px 12px;background:#10233f;color:#fff;border-radius:999px;box-shadow:0 2px 10px rgba(0,0,0,.25);
font:13px/1.2 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.mog-banner .mog-user::before{content:"";display:inline-block;width:8px;height:8px;margin-right:6px;border-radius:50%;background:#3ecf8e}
.mog-banner a{color:#cfe3ff;text-decoration:none;font-weight:600}.mog-banner a:hover{text-decoration:underline}
.mog-banner form{margin:0}.mog-banner button{font:inherit;color:#10233f;background:#fff;border:0;border-radius:999px;padding:4px 10px;cursor:pointer}
.mog-banner a:focus-visible,.mog-banner button:focus-visible{outline:2px solid #8fc1ff;outline-offset:2px}
@media print{.mog-banner{display:none}}`;
