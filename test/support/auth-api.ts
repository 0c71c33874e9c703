import type { Stack } from './stack.js';

/** One call of MLflow's auth REST API (/api/3.0/mlflow/…) on the gateway: query for GET, JSON body otherwise. */
export async function authApi(stack: Stack, token: string, method: string, path: string, params: Record<string, unknown> = {}): Promise<{ status: number; json: Record<string, any> }> {
  const query = method === 'GET' ? `?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}` : '';
  const res = await fetch(`${stack.gatewayUrl}/api/3.0/mlflow/${path}${query}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(method !== 'GET' ? { 'content-type': 'application/json' } : {}) },
    ...(method !== 'GET' ? { body: JSON.stringify(params) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, any>) : {} };
}
