// Client-credentials tokens of the gateway's own IdP carry no user: `sub` is the client itself.
// They act as the service account an administrator mapped the client to, and as nothing else.
import { GatewayError } from '../errors/index.js';
import type { Store, User } from '../store/index.js';

/**
 * The client id when the claims are those of a client-credentials token (RFC 9068 §2.2: `sub`
 * is the client id when no resource owner is involved), else undefined. A person's token names
 * the client in `client_id`/`azp` too, but its `sub` is the person.
 */
export function clientCredentialsClient(claims: Record<string, unknown>): string | undefined {
  const client = typeof claims.client_id === 'string' ? claims.client_id : typeof claims.azp === 'string' ? claims.azp : undefined;
  return client !== undefined && claims.sub === client ? client : undefined;
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
