/** Hit/miss/bypass counts per cache, for logs and metrics. `bypass`: the bus was down, the store answered. */
export type CacheOutcome = 'hit' | 'miss' | 'bypass';

export interface CacheStats {
  record(cache: string, outcome: CacheOutcome): void;
  snapshot(): Record<string, Record<CacheOutcome, number>>;
  /** Called on every lookup (metrics counters hook in here). */
  onRecord(listener: (cache: string, outcome: CacheOutcome) => void): void;
}

export function createCacheStats(): CacheStats {
  const counts = new Map<string, Record<CacheOutcome, number>>();
  const listeners: ((cache: string, outcome: CacheOutcome) => void)[] = [];
  return {
    record(cache, outcome) {
      let c = counts.get(cache);
      if (!c) counts.set(cache, (c = { hit: 0, miss: 0, bypass: 0 }));
      c[outcome]++;
      for (const l of listeners) l(cache, outcome);
    },
    snapshot() {
      return Object.fromEntries([...counts].map(([k, v]) => [k, { ...v }]));
    },
    onRecord(listener) {
      listeners.push(listener);
    },
  };
}
