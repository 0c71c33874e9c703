import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import type { Gateway } from '../pipeline/gateway.js';

/** Liveness (the process answers) and readiness (store, IdP discovery, upstream all reachable). */
export function registerHealthRoutes(app: FastifyInstance, gw: Gateway, isDraining: () => boolean): void {
  const base = `${gw.config.basePath}/_gateway`;
  app.get(`${base}/healthz`, async () => ({ status: 'ok' }));
  app.get(`${base}/readyz`, async (req, reply) => {
    const probe = async (name: string, fn: () => Promise<void>): Promise<{ name: string; ok: boolean }> => {
      try {
        await fn();
        return { name, ok: true };
      } catch (err) {
        // The cause (hosts, ports, errno) goes to the log only: readyz answers anyone.
        req.log.warn({ event: 'readiness.failed', check: name, detail: (err as Error).message, cause: (err as { detail?: string }).detail }, `readiness check ${name} failed`);
        return { name, ok: false };
      }
    };
    const checks = await Promise.all([
      probe('store', () => gw.store.ping()),
      // One check per provider (named `idp` when there is only one, as before).
      ...gw.providers.all.map((p) => probe(gw.providers.all.length > 1 ? `idp:${p.config.id}` : 'idp', async () => void (await p.client.get()))),
      probe('upstream', async () => {
        const res = await request(`${gw.config.upstreamUrl}/health`, { headersTimeout: 3000, bodyTimeout: 3000 });
        await res.body.dump();
        if (res.statusCode !== 200) throw new Error(`MLflow /health answered ${res.statusCode}`);
      }),
    ]);
    const ready = !isDraining() && checks.every((c) => c.ok);
    void reply.code(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not-ready', draining: isDraining(), checks };
  });
}

