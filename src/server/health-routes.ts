import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import type { Gateway } from '../pipeline/gateway.js';
import { isSupported } from '../compat/capabilities.js';

/**
 * Liveness (the process answers) and readiness. Readiness needs the store and MLflow; the IdP is
 * reported but does not fail it: while the IdP is down, sessions, personal tokens and JWTs with
 * cached keys still work on every replica (only new sign-ins fail), so taking replicas out of the
 * load balancer would turn an IdP outage into a full one. Then readyz answers 200 `degraded`.
 */
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
      ...gw.providers.all.map((p) => probe(gw.providers.all.length > 1 ? `idp:${p.config.id}` : 'idp', () => p.client.probe())),
      probe('upstream', async () => {
        const res = await request(`${gw.config.upstreamUrl}/health`, { headersTimeout: 3000, bodyTimeout: 3000 });
        await res.body.dump();
        if (res.statusCode !== 200) throw new Error(`MLflow /health answered ${res.statusCode}`);
        // MLflow answers again after not answering at start-up: read its version now (a reconnect).
        if (!gw.mlflow.detected()) await gw.mlflow.refresh();
      }),
      // A replica without its invalidation bus reads the store for every request (slower, still
      // correct): reported as degraded, never a reason to leave the load balancer.
      ...(gw.bus.kind === 'local' ? [] : [{ name: 'invalidation-bus', ok: gw.bus.connected }]),
    ]);
    const ready = !isDraining() && checks.every((c) => c.ok || c.name.startsWith('idp') || c.name === 'invalidation-bus');
    const degraded = ready && checks.some((c) => !c.ok);
    void reply.code(ready ? 200 : 503);
    const v = gw.mlflow.current();
    // Which MLflow the gateway is shaped for (route set, search strategies): `detected: false` means
    // MLflow has not answered /version yet and the pinned version is assumed. No capability detail: readyz answers anyone.
    const mlflow = { version: v.text, detected: gw.mlflow.detected(), supported: isSupported(v) };
    return { status: ready ? (degraded ? 'degraded' : 'ready') : 'not-ready', draining: isDraining(), checks, mlflow };
  });
}

