import type { Selectable } from 'kysely';
import type { Tables } from './schema.js';
import type { User } from './types.js';

/** A users row as the domain sees it (shared by the user and service-account stores). */
export function toUser(r: Selectable<Tables['users']>): User {
  return {
    id: r.id, subjectKey: r.subject_key, username: r.username, email: r.email, displayName: r.display_name,
    groups: JSON.parse(r.groups_json) as string[], isAdmin: Number(r.is_admin) === 1, disabled: Number(r.disabled) === 1,
    kind: r.kind === 'service' ? 'service' : 'person', createdAt: new Date(Number(r.created_at)),
    lastLoginAt: r.last_login_at === null ? null : new Date(Number(r.last_login_at)),
    provider: r.provider ?? null,
  };
}
