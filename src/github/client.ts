import * as client from 'openid-client';
import type { OidcProvider } from '../oidc/provider.js';
import type { ProviderConfig } from '../oidc/providers/types.js';

/**
 * GitHub has no discovery document: its endpoints are fixed under the web URL (github.com or a
 * GitHub Enterprise Server). This gives the provider registry the same shape as for OpenID
 * providers, with static metadata: always ready, no JWKS (GitHub issues no JWTs), no end-session
 * endpoint (sign-out is local only), no probe.
 */
export function createGitHubClient(config: ProviderConfig): OidcProvider {
  const web = config.issuer.replace(/\/+$/, '');
  const configuration = new client.Configuration(
    { issuer: config.issuer, authorization_endpoint: `${web}/login/oauth/authorize`, token_endpoint: `${web}/login/oauth/access_token` },
    config.clientId,
    config.clientSecret,
  );
  // Nothing to discover, so nothing to probe: readiness does not depend on reaching GitHub.
  return { get: async () => configuration, ready: () => true, probe: async () => undefined };
}
