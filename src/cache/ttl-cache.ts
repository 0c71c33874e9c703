/**
 * A bounded map whose entries expire. Expiry is only a backstop: entries are dropped by
 * invalidation events as soon as the store changes. When full, the oldest entry goes.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; until: number }>();

  readonly ttlMs: number;
  readonly max: number;

  constructor(ttlMs: number, max = 50_000) {
    this.ttlMs = ttlMs;
    this.max = max;
  }

  get(key: string, now = Date.now()): V | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (e.until <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** `until` may shorten the entry's life below the TTL (a JWT's expiry), never lengthen it. */
  set(key: string, value: V, until = Infinity, now = Date.now()): void {
    if (this.ttlMs <= 0) return;
    if (!this.#entries.has(key) && this.#entries.size >= this.max) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, { value, until: Math.min(until, now + this.ttlMs) });
  }

  /** Changes a cached value in place, keeping its expiry (e.g. a last-use mark). */
  update(key: string, change: (value: V) => V): void {
    const e = this.#entries.get(key);
    if (e) e.value = change(e.value);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  deleteWhere(test: (value: V, key: string) => boolean): void {
    for (const [k, e] of this.#entries) if (test(e.value, k)) this.#entries.delete(k);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
