// SCIM resources as the service provider shows them (RFC 7643 §4): users are the gateway account
// plus the attributes the client sent; groups are a name and members. `id` is the account id.
import type { NewScimUser, ScimGroup, ScimUser } from '../store/index.js';
import { badRequest } from './errors.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Attributes the server owns: never stored from a request. `password` is never accepted (no passwords here). */
const SERVER_OWNED = new Set(['id', 'meta', 'schemas', 'groups', 'password']);

export const etag = (version: number) => `W/"${version}"`;

export function userResource(u: ScimUser, groups: readonly { id: string; displayName: string }[], location: string): Record<string, unknown> {
  const schemas = [USER_SCHEMA, ...(ENTERPRISE_USER_SCHEMA in u.doc ? [ENTERPRISE_USER_SCHEMA] : [])];
  return {
    ...u.doc,
    schemas, id: u.userId,
    ...(u.externalId !== null ? { externalId: u.externalId } : {}),
    userName: u.username, active: u.active,
    groups: groups.map((g) => ({ value: g.id, display: g.displayName, $ref: `${location.replace(/\/Users\/[^/]+$/, '')}/Groups/${g.id}`, type: 'direct' })),
    meta: { resourceType: 'User', created: u.createdAt.toISOString(), lastModified: u.updatedAt.toISOString(), location, version: etag(u.version) },
  };
}

export function groupResource(g: ScimGroup, usernames: ReadonlyMap<string, string>, location: string): Record<string, unknown> {
  const base = location.replace(/\/Groups\/[^/]+$/, '');
  return {
    schemas: [GROUP_SCHEMA], id: g.id, displayName: g.displayName,
    ...(g.externalId !== null ? { externalId: g.externalId } : {}),
    members: g.members.map((id) => ({ value: id, ...(usernames.has(id) ? { display: usernames.get(id) } : {}), $ref: `${base}/Users/${id}`, type: 'User' })),
    meta: { resourceType: 'Group', created: g.createdAt.toISOString(), lastModified: g.updatedAt.toISOString(), location, version: etag(g.version) },
  };
}

/**
 * Entra ID sends booleans as the strings "True"/"False" (in PATCH values, sometimes in POST);
 * RFC 7643 says boolean. Both spellings are read as booleans, anything else is refused.
 */
export function scimBoolean(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw badRequest(`${name} must be a boolean`);
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** Reads a User resource sent by a client (POST/PUT body, or the result of a PATCH) into what the gateway stores. */
export function userInput(body: Record<string, unknown>): NewScimUser {
  const userName = str(body.userName ?? keyCaseless(body, 'userName'));
  if (!userName) throw badRequest('userName is required', 'invalidValue');
  if (userName.length > 256) throw badRequest('userName is longer than 256 characters');
  const doc: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    if (SERVER_OWNED.has(k.toLowerCase()) || ['username', 'active', 'externalid'].includes(k.toLowerCase())) continue;
    doc[k] = v;
  }
  const activeRaw = keyCaseless(body, 'active');
  const active = activeRaw === undefined ? true : scimBoolean(activeRaw, 'active');
  const externalId = keyCaseless(body, 'externalId');
  if (externalId !== undefined && externalId !== null && typeof externalId !== 'string') throw badRequest('externalId must be a string');
  const emails = Array.isArray(doc.emails) ? (doc.emails as Record<string, unknown>[]) : [];
  if (doc.emails !== undefined && !Array.isArray(doc.emails)) throw badRequest('emails must be an array');
  const email = str((emails.find((e) => e?.primary === true || e?.primary === 'True') ?? emails.find((e) => e?.type === 'work') ?? emails[0])?.value);
  const name = (typeof doc.name === 'object' && doc.name !== null ? doc.name : {}) as Record<string, unknown>;
  const displayName = str(doc.displayName) ?? str(name.formatted) ?? ([str(name.givenName), str(name.familyName)].filter(Boolean).join(' ') || null);
  return { username: userName, email, displayName, externalId: str(externalId) , active, doc };
}

function keyCaseless(o: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : o[key];
}

/** The User as a PATCH starts from: what the client would GET, minus read-only parts. */
export function patchableUser(u: ScimUser): Record<string, unknown> {
  return {
    ...u.doc, schemas: [USER_SCHEMA, ...(ENTERPRISE_USER_SCHEMA in u.doc ? [ENTERPRISE_USER_SCHEMA] : [])],
    id: u.userId, userName: u.username, active: u.active, ...(u.externalId !== null ? { externalId: u.externalId } : {}),
    meta: { resourceType: 'User' },
  };
}

/** Keeps `attributes` (and always id, schemas, meta) or drops `excludedAttributes` (RFC 7644 §3.9). Sub-attributes by `a.b`. */
export function project(resource: Record<string, unknown>, attributes: string | undefined, excluded: string | undefined): Record<string, unknown> {
  const list = (s: string | undefined) => (s ?? '').split(',').map((a) => a.trim()).filter(Boolean).map((a) => {
    const urn = a.lastIndexOf(':');
    return urn === -1 ? a.split('.') : [a.slice(0, urn), ...a.slice(urn + 1).split('.')];
  });
  const findKey = (o: Record<string, unknown>, name: string) => Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());
  const wanted = list(attributes);
  if (wanted.length > 0) {
    const out: Record<string, unknown> = { schemas: resource.schemas, id: resource.id, meta: resource.meta };
    for (const path of wanted) {
      const key = findKey(resource, path[0]!);
      if (key === undefined) continue;
      if (path.length === 1) out[key] = resource[key];
      else {
        const inner = resource[key];
        const pick = (o: unknown) => {
          if (typeof o !== 'object' || o === null) return undefined;
          const k = findKey(o as Record<string, unknown>, path[1]!);
          return k === undefined ? undefined : { [k]: (o as Record<string, unknown>)[k] };
        };
        const picked = Array.isArray(inner) ? inner.map(pick).filter(Boolean) : pick(inner);
        if (picked !== undefined) out[key] = Array.isArray(picked) ? picked : { ...(out[key] as object | undefined), ...picked };
      }
    }
    return out;
  }
  const out = { ...resource };
  for (const path of list(excluded)) {
    const key = findKey(out, path[0]!);
    if (key === undefined || ['id', 'schemas'].includes(key)) continue;
    if (path.length === 1) delete out[key];
    else if (typeof out[key] === 'object' && out[key] !== null && !Array.isArray(out[key])) {
      const copy = { ...(out[key] as Record<string, unknown>) };
      const k = findKey(copy, path[1]!);
      if (k !== undefined) delete copy[k];
      out[key] = copy;
    }
  }
  return out;
}
