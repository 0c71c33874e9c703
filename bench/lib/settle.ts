import { cpuSecondsOf, groupCpuSeconds } from './procfs.js';

// Waits until the servers of a run are idle before the next measurement starts. A load that ended
// at its time bound leaves requests queued in a slow server (up to `connections` of them), which
// would otherwise still be burning CPU during the next target's cell.

export interface Watched {
  pid: number;
  /** True for detached servers: count their whole process group (uvicorn workers…). */
  group: boolean;
}

export type Settle = () => Promise<number>;

export function createSettle(watched: () => readonly Watched[], opts: { windowMs?: number; maxCpuShare?: number; maxWaitMs?: number } = {}): Settle {
  const windowMs = opts.windowMs ?? 200;
  const maxShare = opts.maxCpuShare ?? 0.15;
  const maxWaitMs = opts.maxWaitMs ?? 30_000;
  const cpu = () => watched().reduce((sum, w) => {
    try {
      return sum + (w.group ? groupCpuSeconds(w.pid) : cpuSecondsOf(w.pid));
    } catch {
      return sum;
    }
  }, 0);
  return async () => {
    const t0 = performance.now();
    let before = cpu();
    for (;;) {
      await new Promise((r) => setTimeout(r, windowMs));
      const now = cpu();
      const share = (now - before) / (windowMs / 1000);
      before = now;
      if (share < maxShare || performance.now() - t0 > maxWaitMs) return performance.now() - t0;
    }
  };
}
