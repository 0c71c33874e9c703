// Microsoft Entra ID "groups overage": a token carries at most ~200 group ids (6 in the URL-safe
// implicit flow). Beyond that the `groups` claim is left out and the token says so with
// `_claim_names.groups` (or `hasgroups: true`). The memberships are then read from Microsoft Graph
// with the user's access token, following `@odata.nextLink` pages.
// Docs: https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference#groups-overage-claim
//       https://learn.microsoft.com/graph/api/user-list-transitivememberof
import { GatewayError } from '../errors/index.js';

export const DEFAULT_GRAPH_URL = 'https://graph.microsoft.com/v1.0';
/** Graph pages hold up to 999 entries with $top; 50 pages is far beyond any real membership list. */
const MAX_PAGES = 50;
const TIMEOUT_MS = 10_000;

/** Whether the token signals that its groups did not fit and must be fetched. */
export function hasGroupsOverage(claims: Record<string, unknown>): boolean {
  const names = claims._claim_names;
  const named = names !== null && typeof names === 'object' && !Array.isArray(names) && Object.hasOwn(names, 'groups');
  return named || claims.hasgroups === true || claims.hasgroups === 'true';
}

interface GraphPage {
  value?: unknown;
  '@odata.nextLink'?: unknown;
}

/**
 * The ids of the groups the signed-in user belongs to, directly or through nested groups.
 * The endpoint named in the token (`_claim_sources`) is NOT used: it points at the retired Azure AD
 * Graph, and following a URL from a token would let its issuer choose where the access token goes.
 * `@odata.nextLink` is followed only while it stays on the configured Graph origin.
 */
export async function fetchEntraGroups(accessToken: string, graphUrl: string = DEFAULT_GRAPH_URL): Promise<string[]> {
  const base = graphUrl.replace(/\/+$/, '');
  const origin = new URL(base).origin;
  let url: string | undefined = `${base}/me/transitiveMemberOf/microsoft.graph.group?$select=id,displayName&$top=999`;
  const groups: string[] = [];
  for (let page = 0; url !== undefined; page++) {
    if (page >= MAX_PAGES) throw overageError(`more than ${MAX_PAGES} pages of group memberships`);
    let res: Response;
    try {
      res = await fetch(url, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
    } catch (err) {
      throw new GatewayError('GW_IDP_UNAVAILABLE', 'Microsoft Graph is unreachable; the group memberships could not be read, try again shortly', { cause: err, detail: `GET ${new URL(url).pathname} failed` });
    }
    if (!res.ok) {
      // 403 here almost always means the delegated permission is missing.
      throw overageError(`Microsoft Graph answered ${res.status}${res.status === 403 ? ' (grant the app the delegated permission GroupMember.Read.All and request it in the scopes)' : ''}`);
    }
    const body = (await res.json().catch(() => undefined)) as GraphPage | undefined;
    if (!body || !Array.isArray(body.value)) throw overageError('Microsoft Graph sent no list of groups');
    for (const entry of body.value as unknown[]) {
      if (entry === null || typeof entry !== 'object') continue;
      const { id, '@odata.type': type } = entry as { id?: unknown; '@odata.type'?: unknown };
      if (typeof id === 'string' && id.length > 0 && (type === undefined || type === '#microsoft.graph.group')) groups.push(id);
    }
    const next = body['@odata.nextLink'];
    if (next === undefined) url = undefined;
    else if (typeof next === 'string' && URL.canParse(next) && new URL(next).origin === origin) url = next;
    else throw overageError('Microsoft Graph sent a next-page link to another host');
  }
  return [...new Set(groups)];
}

function overageError(why: string): GatewayError {
  // Fail closed: without the full list, allowed-group and admin decisions would be made on a guess.
  return new GatewayError('GW_LOGIN_FAILED', `Your groups did not fit in the Entra ID token and could not be read from Microsoft Graph: ${why}`);
}
