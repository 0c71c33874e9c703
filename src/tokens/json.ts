// The JSON of token requests and answers, shared by the personal and service-account token
// endpoints and the CLI. A token's JSON never holds its secret: the answer to create and rotate
// adds it next to this, once.
import { GatewayError } from '../errors/index.js';
import type { ResourceType } from '../policy/index.js';
import type { ApiToken, User } from '../store/index.js';
import { TOKEN_PREFIX } from './format.js';

export interface CreateBody {
  name?: unknown;
  expires_in_days?: unknown;
  read_only?: unknown;
  scope?: unknown;
}

export function parseTokenRequest(body: CreateBody): { name: string; ttlSeconds?: number; readOnly: boolean; scope?: { type: ResourceType; id: string }[] } {
  if (typeof body.name !== 'string') throw new GatewayError('GW_BAD_REQUEST', 'name is required (a string)');
  if (body.expires_in_days !== undefined && (typeof body.expires_in_days !== 'number' || !(body.expires_in_days > 0))) {
    throw new GatewayError('GW_BAD_REQUEST', 'expires_in_days must be a positive number');
  }
  if (body.read_only !== undefined && typeof body.read_only !== 'boolean') throw new GatewayError('GW_BAD_REQUEST', 'read_only must be true or false');
  if (body.scope !== undefined && !Array.isArray(body.scope)) throw new GatewayError('GW_BAD_REQUEST', 'scope must be a list of {"type": "experiment", "id": "12"}');
  const scope = (body.scope as unknown[] | undefined)?.map((s) => {
    const o = (s ?? {}) as { type?: unknown; id?: unknown };
    return { type: String(o.type) as ResourceType, id: typeof o.id === 'number' ? String(o.id) : String(o.id ?? '') };
  });
  return {
    name: body.name,
    readOnly: body.read_only === true,
    ...(typeof body.expires_in_days === 'number' ? { ttlSeconds: body.expires_in_days * 86400 } : {}),
    ...(scope ? { scope } : {}),
  };
}

export function tokenJson(t: ApiToken, owner: User | undefined) {
  return {
    id: t.id, name: t.name, prefix: `${TOKEN_PREFIX}${t.id}`, owner: owner?.username ?? null,
    created_at: t.createdAt.toISOString(), expires_at: t.expiresAt.toISOString(),
    last_used_at: t.lastUsedAt?.toISOString() ?? null, last_used_ip: t.lastUsedIp,
    read_only: t.readOnly, scope: t.scope, revoked_at: t.revokedAt?.toISOString() ?? null,
  };
}
