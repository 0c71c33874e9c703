import type { Stack } from './stack.js';

export interface ApiResult {
  status: number;
  json: Record<string, any>;
}

/** One caller of MLflow's REST API through the gateway, holding a real bearer JWT from the test IdP. */
export interface ApiCaller {
  readonly username: string;
  readonly token: string;
  get(path: string, query?: Record<string, string>): Promise<ApiResult>;
  post(path: string, body: unknown): Promise<ApiResult>;
  del(path: string, body?: unknown): Promise<ApiResult>;
  /** Any method on a raw gateway path (artifact proxy, ajax-api…). */
  raw(method: string, path: string, init?: { body?: string | Buffer; headers?: Record<string, string> }): Promise<ApiResult>;
}

/** `freshTokens`: fetch a new IdP token for every call (for stacks whose IdP tokens live seconds). */
export async function callerFor(stack: Stack, username: string, opts: { freshTokens?: boolean } = {}): Promise<ApiCaller> {
  const { access_token: token } = await stack.idp.getTokens(username);
  const raw = async (method: string, path: string, init: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<ApiResult> => {
    const bearer = opts.freshTokens ? (await stack.idp.getTokens(username)).access_token : token;
    const res = await fetch(`${stack.gatewayUrl}${path}`, { method, headers: { authorization: `Bearer ${bearer}`, ...init.headers }, ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : new Uint8Array(init.body) } : {}) });
    const text = await res.text();
    let json: Record<string, any> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, any>) : {};
    } catch {
      json = { text };
    }
    return { status: res.status, json };
  };
  const jsonInit = (body: unknown) => ({ body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return {
    username, token, raw,
    get: (path, query) => raw('GET', `/api/2.0/mlflow/${path}${query ? `?${new URLSearchParams(query)}` : ''}`),
    post: (path, body) => raw('POST', `/api/2.0/mlflow/${path}`, jsonInit(body)),
    del: (path, body) => raw('DELETE', `/api/2.0/mlflow/${path}`, body === undefined ? {} : jsonInit(body)),
  };
}

/** The gateway's user id for a username (the user must have called the gateway once). */
export async function userId(stack: Stack, username: string): Promise<string> {
  const user = await stack.server.gateway.store.users.getByUsername(username);
  if (!user) throw new Error(`${username} has not used the gateway yet`);
  return user.id;
}

/** A name no other test file (sharing the suite's MLflow) will use. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}
