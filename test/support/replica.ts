// A second gateway in this test process beside a startStack() one: same IdP, same configuration and
// database (a shared file or server), its own port, store connection, caches and invalidation bus —
// a replica as far as the first one can tell. (Separate processes: test/integration/replicas.test.ts.)
import { loadConfig } from '../../src/config/index.js';
import { freePort } from '../../src/devtools/mlflow.js';
import { listenWithCapturedLogs, type Stack } from './stack.js';

/** `env`: the same variables the stack was started with (its database and Redis URLs). */
export async function startReplica(stack: Stack, env: Record<string, string>): Promise<Stack> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const result = loadConfig({
    MLFLOW_UPSTREAM_URL: stack.config.upstreamUrl,
    GATEWAY_PUBLIC_URL: origin,
    GATEWAY_PORT: String(port),
    GATEWAY_SECRET: stack.config.secret,
    OIDC_ISSUER: stack.config.issuer,
    OIDC_CLIENT_ID: stack.config.clientId,
    ...(stack.config.clientSecret ? { OIDC_CLIENT_SECRET: stack.config.clientSecret } : {}),
    OIDC_AUDIENCE: stack.config.audience.join(','),
    OIDC_ADMIN_GROUPS: stack.config.adminGroups.join(','),
    OIDC_JWKS_COOLDOWN: '0s',
    LOG_LEVEL: 'debug',
    ...env,
  });
  if (!result.ok) throw new Error(`replica config invalid: ${JSON.stringify(result.problems)}`);
  const { server, logs } = await listenWithCapturedLogs(result.config);
  return { gatewayUrl: origin, origin, idp: stack.idp, idps: stack.idps, server, config: result.config, logs, stop: () => server.close() };
}

/** Polls `check` until it returns true or `ms` pass; returns how long it took (Infinity: never). */
export async function within(ms: number, check: () => Promise<boolean> | boolean, everyMs = 25): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > ms) return Infinity;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
