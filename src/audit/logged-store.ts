// Every audit event is written twice: durably in the store (queryable, exportable) and as a JSON
// log line for the log pipeline. Wrapping the store's append does both for every writer — sign-in,
// tokens, grants, the proxy — so none of them can forget the second trace.
import type { AuditStore, Store } from '../store/index.js';

export interface AuditLog {
  info(obj: object, msg: string): void;
}

export function withAuditLog(store: Store, log: AuditLog): Store {
  const audit: AuditStore = {
    async append(e) {
      await store.audit.append(e);
      // Never a credential: events name who, what and why only (writers never put secrets in them).
      log.info({
        event: 'audit', at: e.time.toISOString(), actor: e.actor, action: e.action, resource: e.resource, decision: e.decision,
        reason: e.reason, request_id: e.requestId, client_ip: e.clientIp,
      }, `audit ${e.action}`);
    },
    async appendMany(events) {
      await Promise.all(events.map((e) => audit.append(e)));
    },
    list: (opts) => store.audit.list(opts),
    prune: (before) => store.audit.prune(before),
  };
  return { ...store, audit };
}
