import type { Stack } from './stack.js';

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: any;
}

/** Calls the admin API of `stack` (`path` relative to `<mount>/_gateway/api/v1/`) with a bearer token or none. */
export async function adminApi(
  stack: Stack, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${stack.gatewayUrl}/_gateway/api/v1/${path}`, {
    method, headers, ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}
