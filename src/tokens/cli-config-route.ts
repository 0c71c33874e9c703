// GET <mount>/_gateway/api/v1/cli-config: what `mlflow-oidc-gateway login` needs to sign a person
// in at the IdP by itself. Public (the CLI has no credential yet) and free of secrets: the CLI
// client is a public client, and the issuer is in every token anyway.
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../errors/index.js';
import type { Gateway } from '../pipeline/gateway.js';

export interface CliConfig {
  gateway_url: string;
  issuer: string;
  client_id: string;
  scopes: string[];
  token_default_days: number;
  token_max_days: number;
}

export function registerCliConfigRoute(app: FastifyInstance, gw: Gateway, base: string): void {
  app.get(`${base}/cli-config`, async (): Promise<CliConfig> => {
    const clientId = gw.config.cliClientId;
    if (clientId === undefined) {
      throw new GatewayError('GW_NOT_FOUND', 'CLI login is not enabled on this gateway: an administrator sets OIDC_CLI_CLIENT_ID (a public client at the IdP). Meanwhile, create a token in a browser session.');
    }
    return {
      gateway_url: gw.config.publicUrl,
      // CLI login uses the default provider (OIDC_CLI_CLIENT_ID is a client registered there).
      issuer: gw.providers.default.config.issuer,
      client_id: clientId,
      // The CLI needs an access token once, to mint a personal token: no refresh token to keep.
      scopes: gw.providers.default.config.scopes.filter((s) => s !== 'offline_access'),
      token_default_days: Math.round(gw.config.tokenDefaultTtl / 86400),
      token_max_days: Math.floor(gw.config.tokenMaxTtl / 86400),
    };
  });
}
