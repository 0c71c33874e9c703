// JSON shape of a service account on the admin API and in `service-accounts list --json`.
import type { ServiceAccount } from '../store/index.js';

export function serviceAccountJson(a: ServiceAccount): Record<string, unknown> {
  const u = a.user;
  return {
    name: u.username, description: a.description, groups: u.groups, is_admin: u.isAdmin, disabled: u.disabled,
    created_at: u.createdAt.toISOString(), created_by: a.createdBy, user_id: u.id,
  };
}
