import { Writable } from 'node:stream';
import { pino } from 'pino';
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config/index.js';
import { startDemoIdp, type DemoIdp, type DemoIdpOptions } from '../../src/devtools/idp/index.js';
import { freePort } from '../../src/devtools/mlflow.js';
import { buildServer, type GatewayServer } from '../../src/server/app.js';
import { loggerOptions } from '../../src/server/logger.js';
import type { Store } from '../../src/store/index.js';
import { startPostgres, type PostgresServer } from './postgres.js';

export const CLIENT_ID = 'mlflow-gateway';
export const CLIENT_SECRET = 'test-client-secret-0123456789';
export const TEST_SECRET = 'test-gateway-secret-0123456789-abcdefghijklmnop';

/** The gateway settings every test gateway shares: the test secret and the demo IdP's client. */
export function demoIdpEnv(issuer: string): Record<string, string> {
  return {
    GATEWAY_SECRET: TEST_SECRET,
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_SCOPES: 'openid profile email groups offline_access',
    OIDC_AUDIENCE: 'mlflow-gateway',
    OIDC_ADMIN_GROUPS: 'mlflow-admins',
  };
}

export interface Stack {
  readonly gatewayUrl: string; // public URL including the mount path
  readonly origin: string;
  readonly idp: DemoIdp;
  /** The IdP of each extra provider (`extraProviders`), by provider id. */
  readonly idps: Readonly<Record<string, DemoIdp>>;
  readonly server: GatewayServer;
  readonly config: Config;
  /** Every log line the gateway wrote (JSON strings). */
  readonly logs: string[];
  stop(): Promise<void>;
}

export interface StackOptions {
  basePath?: string;
  env?: Record<string, string>;
  upstreamUrl?: string;
  idp?: Partial<DemoIdpOptions>;
  /**
   * Further providers, each backed by its own real in-process IdP (same demo users, own issuer and
   * keys), configured through GATEWAY_PROVIDERS / GATEWAY_PROVIDER_<ID>_* after the OIDC_* one.
   */
  /** Registers the gateway's back-channel logout endpoint with the demo IdP's client (OpenID Connect Back-Channel Logout 1.0). */
  backchannelLogout?: boolean;
  extraProviders?: ReadonlyArray<{ id: string; displayName?: string; env?: Record<string, string>; idp?: Partial<DemoIdpOptions> }>;
  /** A store opened by the test (e.g. wrapped to count its calls) instead of GATEWAY_DATABASE_URL's. */
  store?: Store;
}

/**
 * `GATEWAY_TEST_STORE=postgres` runs every stack on PostgreSQL instead of in-memory SQLite: one
 * throwaway server per test file (gone when the file's process exits), a fresh database per stack.
 */
let testPostgres: Promise<PostgresServer> | undefined;
async function testDatabaseUrl(): Promise<string> {
  if (process.env.GATEWAY_TEST_STORE !== 'postgres') return 'sqlite::memory:';
  testPostgres ??= startPostgres();
  return (await testPostgres).createDatabase();
}

const envId = (id: string) => id.toUpperCase().replace(/-/g, '_');

/** A real gateway in front of the suite's real MLflow, with its own real OpenID Provider. */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const publicUrl = `${origin}${opts.basePath ?? ''}`;
  const idp = await startDemoIdp({
    audience: 'mlflow-gateway',
    ...opts.idp,
    clients: [
      {
        clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
        redirectUris: [`${publicUrl}/_gateway/callback`, 'http://127.0.0.1/test-callback'],
        postLogoutRedirectUris: [`${publicUrl}/_gateway/signed-out`],
        grantTypes: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'],
        ...(opts.backchannelLogout ? { backchannelLogoutUri: `${publicUrl}/_gateway/backchannel-logout/oidc` } : {}),
      },
      ...(opts.idp?.clients ?? []),
    ],
  });
  const extra = opts.extraProviders ?? [];
  const idps: Record<string, DemoIdp> = {};
  const extraEnv: Record<string, string> = {};
  try {
    for (const p of extra) {
      idps[p.id] = await startDemoIdp({
        audience: 'mlflow-gateway',
        ...p.idp,
        clients: [{
          clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
          redirectUris: [`${publicUrl}/_gateway/callback/${p.id}`, 'http://127.0.0.1/test-callback'],
          postLogoutRedirectUris: [`${publicUrl}/_gateway/signed-out`],
          grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
        }, ...(p.idp?.clients ?? [])],
      });
      const prefix = `GATEWAY_PROVIDER_${envId(p.id)}_`;
      Object.assign(extraEnv, {
        [`${prefix}ISSUER`]: idps[p.id]!.issuer, [`${prefix}CLIENT_ID`]: CLIENT_ID, [`${prefix}CLIENT_SECRET`]: CLIENT_SECRET,
        [`${prefix}SCOPES`]: 'openid profile email groups offline_access', [`${prefix}AUDIENCE`]: 'mlflow-gateway',
        [`${prefix}ADMIN_GROUPS`]: 'mlflow-admins', ...(p.displayName ? { [`${prefix}DISPLAY_NAME`]: p.displayName } : {}), ...p.env,
      });
    }
    if (extra.length > 0) extraEnv.GATEWAY_PROVIDERS = extra.map((p) => p.id).join(',');
  } catch (err) {
    await Promise.all([idp, ...Object.values(idps)].map((i) => i.stop()));
    throw err;
  }
  const result = loadConfig({
    MLFLOW_UPSTREAM_URL: opts.upstreamUrl ?? inject('mlflowUrl'),
    GATEWAY_PUBLIC_URL: publicUrl,
    GATEWAY_PORT: String(port),
    GATEWAY_DATABASE_URL: opts.env?.GATEWAY_DATABASE_URL ?? (await testDatabaseUrl()),
    ...demoIdpEnv(idp.issuer),
    OIDC_JWKS_COOLDOWN: '0s',
    LOG_LEVEL: 'debug',
    ...extraEnv,
    ...opts.env,
  });
  if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.problems)}`);
  const { server, logs } = await listenWithCapturedLogs(result.config, opts.store);
  return {
    gatewayUrl: publicUrl, origin, idp, idps, server, config: result.config, logs,
    async stop() {
      await server.close();
      await Promise.all([idp, ...Object.values(idps)].map((i) => i.stop()));
    },
  };
}

/** Builds and starts a gateway whose log lines are kept in memory (tests search them, e.g. for leaked secrets). */
export async function listenWithCapturedLogs(config: Config, store?: Store): Promise<{ server: GatewayServer; logs: string[] }> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const server = await buildServer(config, { logger: pino(loggerOptions('debug'), sink), ...(store ? { store } : {}) });
  await server.listen();
  return { server, logs };
}
