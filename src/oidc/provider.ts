import * as client from 'openid-client';
import { isLoopbackUrl } from '../config/loopback.js';
import { GatewayError } from '../errors/index.js';
import { metrics } from '../metrics/index.js';
import type { ProviderConfig } from './providers/types.js';

/**
 * The relying-party side of the IdP: discovery is done lazily and retried, so the gateway starts
 * (and serves existing sessions) while the IdP is down; only new sign-ins need it.
 */
export interface OidcProvider {
  /** Discovered configuration; throws GW_IDP_UNAVAILABLE when discovery fails. */
  get(): Promise<client.Configuration>;
  /** Whether discovery has succeeded (for /readyz). */
  ready(): boolean;
  /**
   * Asks the IdP now (a fresh discovery, at most once per few seconds) and keeps the fresh
   * configuration: readiness and new sign-ins see whether the IdP is reachable *now*, and an IdP
   * that comes back is re-discovered without a restart. Throws GW_IDP_UNAVAILABLE.
   */
  probe(): Promise<void>;
}

const RETRY_AFTER_MS = 5_000;
/** How long a probe's outcome is reused: readyz answers anyone, and must not turn into IdP load. */
const PROBE_TTL_MS = 5_000;

export function createOidcProvider(config: ProviderConfig): OidcProvider {
  let current: client.Configuration | undefined;
  let pending: Promise<client.Configuration> | undefined;
  let lastFailure = 0;
  let probed: { at: number; outcome: Promise<void> } | undefined;

  async function discover(timeoutSeconds = 10): Promise<client.Configuration> {
    const auth = config.clientSecret ? client.ClientSecretBasic(config.clientSecret) : client.None();
    const options: client.DiscoveryRequestOptions = { timeout: timeoutSeconds };
    // openid-client refuses plain http; the config loader only lets it through on loopback.
    if (isLoopbackUrl(config.issuer)) options.execute = [client.allowInsecureRequests];
    try {
      return await client.discovery(new URL(config.issuer), config.clientId, config.clientSecret, auth, options);
    } catch (err) {
      metrics.idpFetchError('discovery');
      throw new GatewayError('GW_IDP_UNAVAILABLE', 'The identity provider is unreachable; try again shortly', {
        cause: err, detail: `discovery of ${config.issuer}/.well-known/openid-configuration failed: ${causeChain(err)}`,
      });
    }
  }

  return {
    ready: () => current !== undefined,
    probe() {
      if (probed && Date.now() - probed.at < PROBE_TTL_MS) return probed.outcome;
      const outcome = discover(5).then(
        (c) => void ((current = c), (lastFailure = 0)),
        (e: unknown) => {
          lastFailure = Date.now();
          throw e;
        },
      );
      outcome.catch(() => undefined); // a cached failed outcome must not be an unhandled rejection
      probed = { at: Date.now(), outcome };
      return outcome;
    },
    async get() {
      if (current) return current;
      if (pending) return pending;
      if (Date.now() - lastFailure < RETRY_AFTER_MS && lastFailure !== 0) {
        throw new GatewayError('GW_IDP_UNAVAILABLE', 'The identity provider is unreachable; try again shortly');
      }
      pending = discover().then(
        (c) => ((current = c), (pending = undefined), c),
        (e: unknown) => {
          pending = undefined;
          lastFailure = Date.now();
          throw e;
        },
      );
      return pending;
    },
  };
}

/** fetch's own message is just "fetch failed"; the operator needs the cause (ECONNREFUSED, ENOTFOUND, a timeout). */
function causeChain(err: unknown): string {
  const messages: string[] = [];
  for (let cur = err, depth = 0; cur instanceof Error && depth < 5; cur = cur.cause, depth++) {
    if (cur.message && !messages.includes(cur.message)) messages.push(cur.message);
  }
  return messages.join(': ') || 'unknown error';
}
