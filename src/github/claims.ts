// A GitHub profile as claims, so GitHub users go through the same mapping, allowed-groups and
// email-domain checks as OpenID Connect users. Pure function.
import type { GitHubProfile } from './api.js';

/**
 * `iss` is the GitHub web URL and `sub` the numeric user id (logins can be renamed and then taken
 * by someone else; the id never changes). Groups are the organisation logins and `org/team-slug`
 * pairs, lower-cased (GitHub compares them case-insensitively). `email` is the primary address
 * only when GitHub has verified it.
 */
export function claimsFromGitHub(webUrl: string, p: GitHubProfile): Record<string, unknown> {
  const primary = p.emails.find((e) => e.primary);
  const groups = new Set<string>();
  for (const o of p.orgs) groups.add(o.login.toLowerCase());
  for (const t of p.teams) {
    groups.add(t.organization.login.toLowerCase());
    groups.add(`${t.organization.login.toLowerCase()}/${t.slug.toLowerCase()}`);
  }
  const claims: Record<string, unknown> = {
    iss: webUrl.replace(/\/+$/, ''),
    sub: String(p.user.id),
    login: p.user.login,
    preferred_username: p.user.login,
    groups: [...groups],
  };
  if (p.user.name) claims.name = p.user.name;
  if (primary?.verified) {
    claims.email = primary.email;
    claims.email_verified = true;
  }
  return claims;
}
