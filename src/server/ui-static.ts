// The admin web UI (built from ui/ into ui/dist by `npm run build:ui`) under <mount>/_gateway/ui/,
// plus the stylesheet of the bar injected into MLflow's UI. Hashed assets are public and cached
// for good; the page itself needs a signed-in session (others are sent to sign in) and gets the
// mount path as <base href>, so one build works under any GATEWAY_PUBLIC_URL path.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/index.js';
import type { Gateway } from '../pipeline/gateway.js';
import { BANNER_CSS } from '../proxy/ui-banner.js';
import { BAR_JS } from '../mlflow-ui/bar-script.js';
import { RESUME_JS } from './resume-page.js';
import { readSessionCookie } from '../session/cookies.js';
import { escapeHtml } from './pages.js';

/** ui/dist of the package (this file is src/server/, dist/server/ or a file of dist/bundle/: two levels below the root). */
export const UI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../ui/dist');

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.json': 'application/json', '.map': 'application/json',
};

/** The UI talks to its own origin only; nothing is inline, framing is refused. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

export function registerUiRoutes(app: FastifyInstance, gw: Gateway): void {
  const base = `${gw.config.basePath}/_gateway`;
  app.get(`${base}/banner.css`, async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(BANNER_CSS));
  // Scripts of the bar and of the signed-out hop page: public (they hold nothing), same-origin.
  app.get(`${base}/banner.js`, async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').header('x-content-type-options', 'nosniff').send(BAR_JS));
  app.get(`${base}/resume.js`, async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').header('x-content-type-options', 'nosniff').send(RESUME_JS));
  app.get(`${base}/ui`, async (_req, reply) => reply.redirect(`${base}/ui/`, 302));
  app.get(`${base}/ui/*`, async (req: FastifyRequest<{ Params: { '*': string } }>, reply) => {
    const rel = req.params['*'];
    if (/^assets\/[\w.-]+$/.test(rel) || /^[\w-]+\.(svg|png|ico)$/.test(rel)) return sendAsset(reply, rel);
    return sendPage(gw, req, reply);
  });
}

async function sendAsset(reply: FastifyReply, rel: string): Promise<FastifyReply> {
  const file = resolve(UI_DIR, rel);
  if (!file.startsWith(UI_DIR + sep) || !existsSync(file)) throw new GatewayError('GW_NOT_FOUND', `No UI file ${rel}`);
  const immutable = rel.startsWith('assets/'); // Vite puts a content hash in every asset name
  return reply.type(TYPES[extname(file)] ?? 'application/octet-stream')
    .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=3600')
    .header('x-content-type-options', 'nosniff')
    .send(await readFile(file));
}

let shell: string | undefined;

/** Every other path is a page of the single-page app: index.html, for signed-in users only. */
async function sendPage(gw: Gateway, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const token = readSessionCookie(gw.config, req.headers.cookie, req.url);
  const session = token ? await gw.sessions.resolve(token, req.log) : undefined;
  if (!session) {
    const returnTo = (req.url.split('?')[0] ?? '/').replace(/[^\w/.~-]/g, '');
    return reply.header('cache-control', 'no-store').redirect(`${gw.config.basePath}/_gateway/login?return_to=${encodeURIComponent(returnTo)}`, 302);
  }
  if (session.user.disabled) throw new GatewayError('GW_USER_DISABLED', `The account ${session.user.username} is disabled on this gateway`);
  const index = join(UI_DIR, 'index.html');
  if (!existsSync(index)) throw new GatewayError('GW_NOT_FOUND', 'The admin UI is not built: run `npm run build:ui`');
  shell ??= readFileSync(index, 'utf8');
  const base = escapeHtml(gw.config.basePath);
  const html = shell.replace('<head>', `<head><base href="${base}/_gateway/ui/"><meta name="gateway-base" content="${base}">`);
  return reply.type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', CSP)
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin')
    .header('x-content-type-options', 'nosniff')
    .send(html);
}
