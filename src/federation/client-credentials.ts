// Client-credentials tokens of the gateway's own IdP carry no user: `sub` is the client itself.
// They act as the service account an administrator mapped the client to, and as nothing else.
import { GatewayError } from '../errors/index.js';
import type { Store, User } from '../store/index.js';

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * The client id when the claims are those of a client-credentials token, else undefined. Only
 * signals a person's token can never carry count, because a person's token names the client too
 * (`client_id`/`azp`) and must not turn into the client's service account:
 *   `sub` is the client id     RFC 9068 §2.2 (oidc-provider, Okta, …)
 *   `gty: client-credentials`  Auth0 (its `sub` is `<client>@clients`)
 *   `idtyp: app`               Microsoft Entra ID app-only tokens (optional claim)
 */
export function clientCredentialsClient(claims: Record<string, unknown>, preset?: string): string | undefined {
  const client = text(claims.client_id) ?? text(claims.azp) ?? text(claims.appid) ?? text(claims.cid);
  if (client === undefined) return undefined;
  if (claims.sub === client || claims.gty === 'client-credentials' || claims.idtyp === 'app') return client;
  if (preset === 'keycloak' && isKeycloakServiceAccount(claims)) return client;
  return undefined;
}

/**
 * Keycloak puts its service-account user's id in `sub`. Its client-credentials tokens are known by
 * two marks together: the `client_id` claim (the "Client ID" mapper of Keycloak's `service_account`
 * client scope, which only service-account tokens get) and the reserved username
 * `service-account-<client id>` — a username alone could be chosen by a person at some realms, so
 * both are required, and only under the keycloak preset.
 */
function isKeycloakServiceAccount(claims: Record<string, unknown>): boolean {
  const client = text(claims.client_id);
  return client !== undefined && claims.azp === client && claims.preferred_username === `service-account-${client.toLowerCase()}`;
}

export async function serviceAccountOfClient(store: Store, clientId: string): Promise<User> {
  const mapping = await store.federation.clientMapping(clientId);
  const user = mapping && (await store.users.get(mapping.serviceAccountId));
  if (!user) {
    throw new GatewayError('GW_INVALID_TOKEN', `This is a client-credentials token of OAuth client ${JSON.stringify(clientId)} (no user), and no service account is mapped to that client. `
      + `An administrator can map one: PUT /_gateway/api/v1/service-accounts/<name>/oauth-clients/${encodeURIComponent(clientId)} or \`mlflow-oidc-gateway service-accounts map-client <name> ${clientId}\``, {
      headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    });
  }
  return user;
}
