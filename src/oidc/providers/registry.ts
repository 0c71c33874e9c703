import { GatewayError } from '../../errors/index.js';
import { createOidcProvider, type OidcProvider } from '../provider.js';
import type { ProviderConfig } from './types.js';

/** A configured provider with its (lazily discovered) OpenID client. */
export interface ProviderEntry {
  readonly config: ProviderConfig;
  readonly client: OidcProvider;
}

/** The gateway's providers at run time. */
export interface Providers {
  readonly all: readonly ProviderEntry[];
  /** The first provider: it owns `/_gateway/callback`, sessions without a recorded provider belong to it. */
  readonly default: ProviderEntry;
  get(id: string): ProviderEntry | undefined;
  /** The provider whose issuer is exactly `iss` (issuers are unique among providers). */
  byIssuer(iss: string): ProviderEntry | undefined;
  /** Like `get`, but a missing provider (removed from the config since) is GW_LOGIN_FAILED. */
  require(id: string): ProviderEntry;
}

/** The client of a provider: discovered for OpenID Connect, static for GitHub (no discovery there). */
export function clientFor(p: ProviderConfig): OidcProvider {
  return p.kind === 'github' ? lazyGitHubClient(p) : createOidcProvider(p);
}

/** GitHub's static client (github/client.ts), loaded on first use: `serve` without a GitHub provider never loads the GitHub code. */
function lazyGitHubClient(p: ProviderConfig): OidcProvider {
  let loaded: Promise<OidcProvider> | undefined;
  const client = () => (loaded ??= import('../../github/client.js').then((m) => m.createGitHubClient(p)));
  // As in createGitHubClient: nothing to discover, so always ready and nothing to probe.
  return { get: async () => (await client()).get(), ready: () => true, probe: async () => undefined };
}

export function createProviders(configs: readonly ProviderConfig[], makeClient: (p: ProviderConfig) => OidcProvider = clientFor): Providers {
  if (configs.length === 0) throw new Error('at least one identity provider is required');
  const all = configs.map((config) => ({ config, client: makeClient(config) }));
  const byId = new Map(all.map((e) => [e.config.id, e]));
  const byIss = new Map(all.map((e) => [e.config.issuer, e]));
  return {
    all,
    default: all[0]!,
    get: (id) => byId.get(id),
    byIssuer: (iss) => byIss.get(iss),
    require(id) {
      const e = byId.get(id);
      if (!e) throw new GatewayError('GW_LOGIN_FAILED', `The identity provider ${id.slice(0, 40)} is not configured on this gateway`);
      return e;
    },
  };
}

/** Administrators by group: a group named as admin group by any provider. */
export function isAdminGroup(configs: readonly ProviderConfig[], group: string): boolean {
  return configs.some((p) => p.adminGroups.includes(group));
}
