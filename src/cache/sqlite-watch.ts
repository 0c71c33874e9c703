import type { BusCore } from './bus.js';

/**
 * With SQLite there is no bus between processes, yet the CLI (`grants`, `patterns`,
 * `service-accounts`…) and a second gateway on the same file write it directly. SQLite's
 * `data_version` changes whenever another connection commits; polling it tells the caches to
 * forget everything within `intervalMs` of such a write.
 */
export function watchSqliteWrites(dataVersion: () => number, core: BusCore, intervalMs = 250): () => void {
  let last = dataVersion();
  const timer = setInterval(() => {
    let now: number;
    try {
      now = dataVersion();
    } catch {
      return; // store closing
    }
    if (now !== last) {
      last = now;
      core.deliver({ kind: 'all' });
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
