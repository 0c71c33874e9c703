import type { Stack } from './stack.js';
import { adminApi } from './admin-api.js';

/** A SCIM token minted through the admin API by the demo IdP's administrator. */
export async function scimToken(stack: Stack, opts: { name?: string; allowedCidrs?: string[] } = {}): Promise<{ token: string; id: string; admin: string }> {
  const admin = (await stack.idp.getTokens('admin')).access_token;
  const res = await adminApi(stack, 'POST', 'scim/tokens', { token: admin, body: { name: opts.name ?? 'entra', ...(opts.allowedCidrs ? { allowed_cidrs: opts.allowedCidrs } : {}) } });
  if (res.status !== 201) throw new Error(`SCIM token: ${res.status} ${JSON.stringify(res.json)}`);
  return { token: res.json.token as string, id: res.json.scim_token.id as string, admin };
}

export interface ScimAnswer { status: number; json: any; headers: Headers }

/** One SCIM request as a provisioning client sends it (application/scim+json). */
export async function scim(stack: Stack, token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ScimAnswer> {
  const res = await fetch(`${stack.gatewayUrl}/_gateway/scim/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: 'application/scim+json', ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}
