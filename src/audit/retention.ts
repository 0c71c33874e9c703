// GATEWAY_AUDIT_RETENTION: audit events older than the retention are deleted, once at start and
// then hourly. The timer never keeps the process alive, and a failed prune is retried next hour.
import type { Store } from '../store/index.js';

const EVERY_MS = 60 * 60 * 1000;

export interface Pruner {
  /** Prunes now; resolves to how many events were deleted. */
  pruneNow(now?: Date): Promise<number>;
  stop(): void;
}

export function startAuditRetention(store: Store, retentionSeconds: number, log: { info(o: object, m: string): void; warn(o: object, m: string): void }): Pruner {
  const pruneNow = async (now = new Date()) => {
    // The same hourly sweep forgets expired one-time ids (logout-token jti, SAML assertion ids).
    await store.oneTimeIds.prune(now);
    const deleted = await store.audit.prune(new Date(now.getTime() - retentionSeconds * 1000));
    if (deleted > 0) log.info({ event: 'audit.pruned', deleted, retention_days: Math.round(retentionSeconds / 86400) }, 'pruned old audit events');
    return deleted;
  };
  const run = () => void pruneNow().catch((err: unknown) => log.warn({ event: 'audit.prune_failed', reason: (err as Error).message }, 'pruning the audit log failed'));
  const first = setTimeout(run, 5_000);
  const timer = setInterval(run, EVERY_MS);
  first.unref();
  timer.unref();
  return {
    pruneNow,
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
