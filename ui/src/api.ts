// Same-origin JSON calls to the gateway with the session cookie. Writes send JSON bodies, so the
// API's CSRF check (Sec-Fetch-Site / Origin) and its JSON-only rule are met by the browser itself.

/** The gateway's mount path, injected by the server into the page (<meta name="gateway-base">). */
export const BASE = document.querySelector<HTMLMetaElement>('meta[name="gateway-base"]')?.content ?? '';
export const API = `${BASE}/_gateway/api/v1`;

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export const SESSION_ENDED = 'Your session has ended — sign in again. Nothing was changed.';

/** Sign in, then come back to this page. */
export const signInAgainUrl = () => `${BASE}/_gateway/login?return_to=${encodeURIComponent(window.location.pathname + window.location.search)}`;

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(res.status, 'GW_BAD_RESPONSE', `Unexpected answer (${res.status})`);
  }
  if (!res.ok) {
    const e = (json ?? {}) as { error_code?: string; gateway_code?: string; message?: string };
    const code = e.gateway_code ?? e.error_code ?? 'GW_ERROR';
    if (res.status === 401) {
      // A session that ended while the page was open. An action (a write: create a token, share…)
      // is not dropped by a silent redirect: it fails with a message and a sign-in link, and the
      // form keeps what was typed. Loading a page just signs in again and comes back here.
      if (method !== 'GET') throw new ApiError(401, code === 'GW_ERROR' ? 'GW_SESSION_EXPIRED' : code, SESSION_ENDED);
      window.location.assign(signInAgainUrl());
    }
    throw new ApiError(res.status, code, e.message ?? `Request failed (${res.status})`);
  }
  return json as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', `${API}/${path}`),
  post: <T>(path: string, body?: unknown) => call<T>('POST', `${API}/${path}`, body ?? {}),
  put: <T>(path: string, body: unknown) => call<T>('PUT', `${API}/${path}`, body),
  patch: <T>(path: string, body: unknown) => call<T>('PATCH', `${API}/${path}`, body),
  del: <T>(path: string, body?: unknown) => call<T>('DELETE', `${API}/${path}`, body),
};

/** MLflow's own REST API through the gateway: answers are filtered to what the user may read. */
export const mlflow = {
  get: <T>(path: string) => call<T>('GET', `${BASE}/ajax-api/2.0/mlflow/${path}`),
  post: <T>(path: string, body: unknown) => call<T>('POST', `${BASE}/ajax-api/2.0/mlflow/${path}`, body),
};

/** MLflow's GraphQL endpoint through the gateway (MLflow 2.22 and later; 2.9 has none). */
export const graphql = <T>(query: string, variables: Record<string, unknown>) => call<T>('POST', `${BASE}/graphql`, { query, variables });

export const qs = (o: Record<string, string | number | undefined>) =>
  new URLSearchParams(Object.entries(o).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '').map(([k, v]) => [k, String(v)])).toString();

/** What a grant or pattern rule can give: DENY (a veto over every other grant and rule) or a level. */
export const LEVELS = ['DENY', 'NO_PERMISSIONS', 'READ', 'USE', 'EDIT', 'MANAGE'] as const;
export type Level = (typeof LEVELS)[number];
export const RESOURCE_TYPES = ['experiment', 'registered_model', 'prompt', 'gateway_endpoint', 'gateway_secret', 'gateway_model_definition', 'workspace', 'run', 'trace', 'logged_model', 'model_version', 'prompt_version'] as const;
export const ACTIONS = ['read', 'use', 'update', 'delete', 'manage'] as const;

export interface Me {
  username: string;
  email: string | null;
  display_name: string | null;
  groups: string[];
  is_admin: boolean;
}

export interface Grant {
  principal_type: 'user' | 'group';
  principal: string;
  resource_type: string;
  resource_id: string;
  level: Level;
}

export interface Pattern extends Omit<Grant, 'resource_id'> {
  id: string;
  matcher: 'glob' | 'regex';
  pattern: string;
}

export interface User {
  id: string;
  username: string;
  email: string | null;
  display_name: string | null;
  groups: string[];
  is_admin: boolean;
  disabled: boolean;
  kind: 'person' | 'service';
  created_at: string;
  last_login_at: string | null;
  /** Identity provider of the latest sign-in. */
  provider: string | null;
}

export interface Session {
  id: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  ip: string | null;
  user_agent: string | null;
  current: boolean;
}

export interface Token {
  id: string;
  name: string;
  prefix?: string;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  read_only: boolean;
  scope: { type: string; id: string }[] | null;
}

export interface AuditEvent {
  seq: number;
  time: string;
  actor: string | null;
  action: string;
  resource: string | null;
  decision: 'allow' | 'deny' | 'info';
  reason: string | null;
  request_id: string | null;
  client_ip: string | null;
}
