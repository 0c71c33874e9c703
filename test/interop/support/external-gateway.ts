import { inject } from 'vitest';
import { loadConfig, type Config } from '../../../src/config/index.js';
import { freePort } from '../../../src/devtools/mlflow.js';
import type { GatewayServer } from '../../../src/server/app.js';
import { listenWithCapturedLogs, TEST_SECRET } from '../../support/stack.js';

export interface ExternalIdpGateway {
  readonly gatewayUrl: string;
  readonly server: GatewayServer;
  readonly config: Config;
  /** Every log line the gateway wrote (JSON strings). */
  readonly logs: string[];
  stop(): Promise<void>;
}

/**
 * A real gateway in front of the suite's real MLflow, signing in with an IdP that is not ours
 * (`env` carries its OIDC_* settings). Same wiring as test/support/stack.ts, without the demo IdP.
 * `port`: when the IdP must know the gateway's callback URL before the gateway starts (Dex).
 */
export async function startGatewayFor(env: Record<string, string>, port?: number): Promise<ExternalIdpGateway> {
  port ??= await freePort();
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const result = loadConfig({
    MLFLOW_UPSTREAM_URL: inject('mlflowUrl'),
    GATEWAY_PUBLIC_URL: gatewayUrl,
    GATEWAY_PORT: String(port),
    GATEWAY_DATABASE_URL: 'sqlite::memory:',
    GATEWAY_SECRET: TEST_SECRET,
    OIDC_ADMIN_GROUPS: 'mlflow-admins',
    LOG_LEVEL: 'debug',
    ...env,
  });
  if (!result.ok) throw new Error(`interop config invalid: ${JSON.stringify(result.problems)}`);
  const { server, logs } = await listenWithCapturedLogs(result.config);
  return { gatewayUrl, server, config: result.config, logs, stop: () => server.close() };
}

/** Calls the gateway's admin API (`path` relative to `/_gateway/api/v1/`) with a bearer token. */
export async function adminCall(gw: ExternalIdpGateway, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${gw.gatewayUrl}/_gateway/api/v1/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
