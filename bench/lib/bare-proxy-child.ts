// The bare-proxy baseline of the gateway-ceiling scenario: the gateway's HTTP stack (fastify,
// @fastify/reply-from over undici, with the gateway's upstream settings and its raw-body
// pass-through) forwarding every request to the same upstream with no authentication, no
// authorization, no access log and no metrics. What the gateway spends per request above this
// process's CPU is the cost of what it adds. Its own process, like the gateway (bench/lib/bare-proxy.ts
// starts it; BENCH_UPSTREAM_URL names the upstream; the port goes back in the IPC 'ready' message).
import replyFrom from '@fastify/reply-from';
import fastify from 'fastify';
import type { AddressInfo } from 'node:net';

const upstream = process.env.BENCH_UPSTREAM_URL ?? '';
const app = fastify({ logger: false, return503OnClosing: true, forceCloseConnections: false });
// As the gateway (src/server/app.ts): bodies are never parsed, the raw stream goes upstream.
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
await app.register(replyFrom, {
  base: new URL(upstream).origin,
  // The gateway's defaults (src/server/app.ts): connect 5 s, upstream 60 s, keep-alive 4 s.
  undici: { connect: { timeout: 5_000 }, headersTimeout: 60_000, bodyTimeout: 60_000, keepAliveTimeout: 4_000 },
  disableRequestLogging: true,
});
app.all('/*', (req, reply) => reply.from(req.url));
await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ op: 'ready', port: (app.server.address() as AddressInfo).port });
process.on('disconnect', () => void app.close().finally(() => process.exit(0)));
