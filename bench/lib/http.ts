// A small JSON client for setting benchmarks up (creating objects, granting, checking answers).
// Measurements use wrk (wrk.ts) or the timed loops of sequential.ts, never this.

export interface JsonAnswer {
  status: number;
  json: unknown;
  text: string;
}

export async function call(method: string, url: string, opts: { headers?: Record<string, string>; body?: unknown; timeoutMs?: number } = {}): Promise<JsonAnswer> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** Like call, but throws unless the answer is 2xx. */
export async function callOk(method: string, url: string, opts: Parameters<typeof call>[2] = {}): Promise<unknown> {
  const r = await call(method, url, opts);
  if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${url} → ${r.status}: ${r.text.slice(0, 400)}`);
  return r.json;
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** Reads a dotted path out of an unknown JSON value. */
export function pick(value: unknown, path: string): unknown {
  let v = value;
  for (const key of path.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}
