import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.js';
import { clientResponseHeaders, upstreamRequestHeaders } from '../../proxy/headers.js';
import { bannerOnResponse, DECODERS, isUiShell } from '../../proxy/ui-banner.js';
import { gatewayCookieNames } from '../../session/cookies.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../context.js';
import { bodyLease } from '../request-body.js';
import type { MemoryLease } from '../memory-budget.js';
import { metrics, routeClassOf } from '../../metrics/index.js';

/** Step 6: stream the request to MLflow and the answer back; nothing is buffered unless a step read the JSON body. */
/** What forwarding needs from the frozen configuration, worked out once per configuration. */
const fixed = new WeakMap<Gateway['config'], { upstream: URL; cookies: readonly string[] }>();
function fixedFor(config: Gateway['config']): { upstream: URL; cookies: readonly string[] } {
  let f = fixed.get(config);
  if (!f) fixed.set(config, (f = { upstream: new URL(config.upstreamUrl), cookies: gatewayCookieNames(config) }));
  return f;
}

export function forward(gw: Gateway, req: FastifyRequest, reply: FastifyReply, ctx: RequestContext): FastifyReply {
  const { upstream, cookies } = fixedFor(gw.config);
  // The source is the path only: reply-from refuses any `../` in its source, query string included,
  // but traversal is the normaliser's business and only in the path (it refused dot segments
  // already). The query string goes through untouched (an experiment named `team/../shared`).
  const target = `${upstream.pathname.replace(/\/$/, '')}${ctx.path}`;
  const user = ctx.principal?.user;
  const started = performance.now();
  const options: Parameters<FastifyReply['from']>[1] = {
    queryString: () => ctx.query,
    // reply-from's `headers` (not the client's): they carry the content-length of a rewritten body.
    rewriteRequestHeaders: (_r, headers) =>
      upstreamRequestHeaders(headers, {
        upstreamHost: upstream.host,
        clientIp: ctx.clientIp,
        proto: req.protocol === 'https' ? 'https' : 'http',
        requestId: ctx.requestId,
        identity: user && { username: user.username, email: user.email, groups: user.groups },
        gatewayCookies: cookies,
        trace: ctx.trace,
      }),
    // Called when MLflow's response headers arrive: the upstream latency the histogram records.
    rewriteHeaders: (headers) => {
      metrics.upstreamLatency(routeClassOf(ctx.path), (performance.now() - started) / 1000);
      return clientResponseHeaders(headers);
    },
    onError: (rep, { error }) => {
      const code = (error as { code?: string }).code ?? '';
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const timeout = /TIMEOUT/i.test(code) || /TIMEOUT/i.test(cause?.code ?? '') || (error as { statusCode?: number }).statusCode === 504;
      const err = timeout
        ? new GatewayError('GW_UPSTREAM_TIMEOUT', `MLflow did not answer within ${gw.config.upstreamTimeout}s`, { detail: cause?.message ?? error.message })
        : new GatewayError('GW_UPSTREAM_UNAVAILABLE', 'MLflow is unreachable; try again shortly', { detail: cause?.message ?? error.message });
      metrics.upstreamError(timeout ? 'timeout' : 'unavailable');
      req.log.warn({ event: 'upstream.error', code: err.code, detail: err.detail }, 'upstream request failed');
      if (!rep.sent) void rep.code(err.status).type('application/json').send(err.toJSON());
    },
  };
  const after = ctx.afterSuccess;
  const redact = ctx.redactResponse;
  if (after || redact) {
    // Creation/rename/delete answers are small JSON: read them, do the bookkeeping MLflow's
    // answer calls for, then send the same bytes. A bookkeeping failure is logged and surfaced
    // as 500, because the client must not believe it owns what it cannot manage. Answers that
    // embed children (model versions) are re-encoded with only what the caller may read.
    options.onResponse = (_request, rep, res) => {
      void (async () => {
        let raw = await readAll((res as unknown as { stream: AsyncIterable<Buffer> }).stream, bodyLease(gw, ctx));
        if (rep.statusCode >= 200 && rep.statusCode < 300) {
          const encoding = String(rep.getHeader('content-encoding') ?? 'identity').toLowerCase();
          const decode = DECODERS[encoding];
          // An encoding the gateway cannot read cannot be redacted: refused rather than passed on.
          if (!decode) throw new Error(`MLflow answered with content-encoding ${encoding}`);
          let json = JSON.parse((await decode(raw)).toString('utf8')) as unknown;
          if (after) {
            try {
              await after(gw, ctx, json);
            } catch (error) {
              const err = new GatewayError('GW_INTERNAL', 'MLflow completed the request but the gateway could not record it', { cause: error, detail: (error as Error).message });
              req.log.error({ event: 'after-success.error', rpc: ctx.route?.rpc, err: error }, err.message);
              return void rep.code(500).type('application/json').send(err.toJSON());
            }
          }
          if (redact) {
            try {
              json = await redact(json);
            } catch (error) {
              if (!(error instanceof GatewayError)) throw error;
              for (const h of ['content-length', 'content-encoding', 'etag']) rep.removeHeader(h);
              return void rep.code(error.status).type('application/json').send(error.toJSON());
            }
            for (const h of ['content-length', 'content-encoding', 'etag']) rep.removeHeader(h);
            raw = Buffer.from(JSON.stringify(json), 'utf8');
          }
        }
        void rep.send(raw);
      })().catch((error: unknown) => {
        // The memory budget could not hold MLflow's answer: the client is told to retry (GW_BUSY).
        if (error instanceof GatewayError) {
          if (rep.sent) return;
          for (const h of ['content-length', 'content-encoding', 'etag']) rep.removeHeader(h);
          return void rep.code(error.status).headers(error.headers).type('application/json').send(error.toJSON());
        }
        req.log.warn({ event: 'upstream.error', detail: (error as Error).message }, 'reading the MLflow answer failed');
        if (!rep.sent) void rep.code(502).type('application/json').send(new GatewayError('GW_UPSTREAM_UNAVAILABLE', 'MLflow closed the connection').toJSON());
      });
    };
  }
  // MLflow's UI shell gets the gateway's bar (src/proxy/ui-banner.ts); nothing else is rewritten.
  if (!after && !redact && isUiShell(ctx, req.method)) options.onResponse = bannerOnResponse(gw, ctx);
  // A GET/HEAD body is never forwarded (fastify does not read it; reply-from refuses to send one,
  // even the empty buffer a step read while looking for ids).
  if (ctx.body !== undefined && req.method !== 'GET' && req.method !== 'HEAD') {
    if (ctx.body.length === 0 && req.headers['content-type'] === undefined) {
      options.body = null; // an absent body read only to be judged stays absent (no Content-Type invented)
    } else {
      options.body = ctx.body;
      options.contentType = String(req.headers['content-type'] ?? 'application/json');
    }
  }
  // Returned to fastify so it knows the reply is sent asynchronously by reply-from (not an empty 200).
  return reply.from(target, options);
}

async function readAll(stream: AsyncIterable<Buffer>, memory: MemoryLease): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      memory.take(buf.length);
      chunks.push(buf);
    }
  } catch (error) {
    (stream as { destroy?: () => void }).destroy?.(); // the rest of MLflow's answer is not wanted
    throw error;
  }
  return Buffer.concat(chunks);
}
