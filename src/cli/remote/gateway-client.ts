// The CLI's side of the gateway API: plain fetch calls with a bearer credential, and errors that
// say what to do. Used by `login`, `whoami` and `tokens`; nothing here is ever logged.
import type { CliConfig } from '../../tokens/cli-config-route.js';

export class CliError extends Error {}

export interface TokenJson {
  id: string; name: string; prefix: string; owner: string | null; created_at: string; expires_at: string;
  last_used_at: string | null; read_only: boolean; scope: { type: string; id: string }[] | null;
}

export interface MintRequest {
  name: string;
  expires_in_days?: number;
  read_only?: boolean;
  scope?: { type: string; id: string }[];
}

/** `https://host/mlflow/` → `https://host/mlflow`; refuses what is not an http(s) URL. */
export function gatewayUrl(raw: string): string {
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) throw new CliError(`--url must be the gateway's http(s) URL, e.g. https://mlflow.example.com (got ${JSON.stringify(raw)})`);
  const u = new URL(raw);
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

async function call<T>(url: string, path: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${url}/_gateway/api/v1/${path}`, {
      method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}), signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new CliError(`Cannot reach the gateway at ${url}: ${((err as Error).cause as Error | undefined)?.message ?? (err as Error).message}`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new CliError(`${url} did not answer like an mlflow-oidc-gateway (HTTP ${res.status}, not JSON): is the URL right?`);
  }
  if (!res.ok) {
    const e = (json ?? {}) as { error_code?: string; gateway_code?: string; message?: string };
    throw Object.assign(new CliError(`${e.message ?? `HTTP ${res.status}`}${e.gateway_code ?? e.error_code ? ` (${e.gateway_code ?? e.error_code})` : ''}`), { status: res.status });
  }
  return json as T;
}

export const gatewayApi = {
  cliConfig: (url: string) => call<CliConfig>(url, 'cli-config'),
  mint: (url: string, bearer: string, req: MintRequest) => call<TokenJson & { token: string }>(url, 'tokens', { method: 'POST', token: bearer, body: req }),
  list: (url: string, token: string) => call<{ tokens: TokenJson[] }>(url, 'tokens', { token }),
  revoke: (url: string, token: string, id: string) => call<undefined>(url, `tokens/${encodeURIComponent(id)}`, { method: 'DELETE', token }),
  whoami: (url: string, token: string) => call<{
    username: string; kind?: string; groups: string[]; is_admin: boolean; auth_method?: string; token?: TokenJson | null;
  }>(url, 'whoami', { token }),
};

export function statusOf(err: unknown): number | undefined {
  return (err as { status?: number }).status;
}
