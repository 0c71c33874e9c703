import { inject } from 'vitest';
import type { Level, ResourceType } from '../../src/policy/index.js';
import type { Stack } from './stack.js';

// Helpers shared by the filtered-route tests: MLflow seeded directly (fast, no gateway), callers
// through the gateway with real bearer JWTs, and grants written straight into the gateway store.

export interface Answer {
  status: number;
  json: Record<string, any>;
}

/** MLflow's REST API, called directly (no gateway, no credentials: MLflow runs without auth). */
export async function mlflow<T = Record<string, any>>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${inject('mlflowUrl')}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return out;
}

export interface Caller {
  readonly username: string;
  readonly userId: string;
  /** Any method and gateway path (query included); a body is sent as JSON. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
}

/** A demo user calling through the gateway with a bearer JWT; the first call creates the user record. */
export async function callerFor(stack: Stack, username: string): Promise<Caller> {
  const { access_token: token } = await stack.idp.getTokens(username);
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const res = await fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: Record<string, any>;
    try {
      json = text ? (JSON.parse(text) as Record<string, any>) : {};
    } catch {
      json = { text };
    }
    return { status: res.status, json };
  };
  const first = await call('GET', '/api/2.0/mlflow/experiments/get?experiment_id=0');
  if (first.status === 401) throw new Error(`${username} could not authenticate: ${JSON.stringify(first.json)}`);
  const user = await stack.server.gateway.store.users.getByUsername(username);
  if (!user) throw new Error(`no user record for ${username}`);
  return { username, userId: user.id, call };
}

/** Grants `level` on each id to one user. */
export async function grant(stack: Stack, userId: string, type: ResourceType, ids: readonly string[], level: Level = 'READ'): Promise<void> {
  for (const id of ids) await stack.server.gateway.store.grants.set({ principalType: 'user', principal: userId, resourceType: type, resourceId: id, level });
}

/** Deterministic PRNG (mulberry32) so a failing subset can be replayed from the printed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Pages through a gateway search: `fetchPage(token)` returns the JSON of one page. Returns every
 * page and the token that fetched it.
 */
export async function pageThrough(fetchPage: (token: string | undefined) => Promise<Answer>, itemsField: string): Promise<{ pages: any[][]; tokens: (string | undefined)[] }> {
  const pages: any[][] = [];
  const tokens: (string | undefined)[] = [];
  let token: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const res = await fetchPage(token);
    if (res.status !== 200) throw new Error(`page ${pages.length + 1} → ${res.status}: ${JSON.stringify(res.json)}`);
    pages.push((res.json[itemsField] as any[] | undefined) ?? []);
    tokens.push(token);
    token = res.json.next_page_token as string | undefined;
    if (!token) return { pages, tokens };
  }
  throw new Error('pagination did not end');
}
