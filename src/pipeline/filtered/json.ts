// Total accessors for MLflow's JSON answers (untrusted shape: never throw, never guess).

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The array at `key` of an answer ([] when absent or malformed). */
export function listField(json: unknown, key: string): unknown[] {
  const v = isObject(json) ? json[key] : undefined;
  return Array.isArray(v) ? v : [];
}

/** The answer with `key` set to `items`, or without `key` when empty (protobuf JSON omits empty lists). */
export function withList(json: unknown, key: string, items: unknown[]): Record<string, unknown> {
  const out = isObject(json) ? { ...json } : {};
  if (items.length > 0) out[key] = items;
  else delete out[key];
  return out;
}

/** An id as a string: MLflow sends int64 ids as JSON numbers in some answers (ListScorers) and strings in others. */
export function idString(v: unknown): string | undefined {
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  return undefined;
}
