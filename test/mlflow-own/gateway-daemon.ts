/**
 * Gateways on demand for the MLflow-own-tests plugin (plugin.py). One daemon per pytest session;
 * each test's fresh MLflow gets its own fresh gateway (in-memory SQLite store, its own in-process
 * demo IdP), and the client a personal access token minted through the gateway's own API.
 *
 * Protocol: one JSON object per line on stdin, one JSON answer per line on stdout.
 *   {"op":"start","upstream":"http://127.0.0.1:P","port":0}  → {"ok":true,"id":1,"url":…,"token":…}
 *   {"op":"stop","id":1}                                     → {"ok":true}
 * MLFLOW_OWN_MODE: admin (the demo administrator), user (alice, GATEWAY_DEFAULT_PERMISSION=MANAGE),
 * user-filtered (the same plus NO_PERMISSIONS grants on an experiment and a registered model that
 * are not the test's, so that every search and list goes through the filtering code).
 */
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.js';
import { startDemoIdp, type DemoIdp } from '../../src/devtools/idp/index.js';
import { freePort } from '../../src/devtools/mlflow.js';
import { buildServer, type GatewayServer } from '../../src/server/app.js';
import { loggerOptions } from '../../src/server/logger.js';

type Mode = 'admin' | 'user' | 'user-filtered';
const MODE = (process.env.MLFLOW_OWN_MODE ?? 'admin') as Mode;
if (!['admin', 'user', 'user-filtered'].includes(MODE)) throw new Error(`MLFLOW_OWN_MODE must be admin, user or user-filtered, not ${MODE}`);
// Ids no test creates: MLflow's SQLite ids count up from 0, file-store ids are random 18 digits.
const HIDDEN_EXPERIMENT = '999999999';
const HIDDEN_MODEL = 'mlflow-own-hidden-model';
// The demo IdP's client (test/support/stack.ts has the same; not imported: it needs vitest).
const CLIENT_ID = 'mlflow-gateway';
const CLIENT_SECRET = 'mlflow-own-client-secret-0123456789';
const SECRET = 'mlflow-own-gateway-secret-0123456789-abcdefghijkl';

interface Running { server: GatewayServer; idp: DemoIdp }
const running = new Map<number, Running>();
let nextId = 1;

async function start(upstream: string, wantedPort: number): Promise<{ id: number; url: string; token: string }> {
  const port = wantedPort || (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const idp = await startDemoIdp({
    audience: 'mlflow-gateway',
    clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [`${url}/_gateway/callback`], grantTypes: ['authorization_code', 'refresh_token'] }],
  });
  const loaded = loadConfig({
    MLFLOW_UPSTREAM_URL: upstream, GATEWAY_PUBLIC_URL: url, GATEWAY_PORT: String(port), GATEWAY_HOST: '127.0.0.1',
    GATEWAY_DATABASE_URL: 'sqlite::memory:', GATEWAY_SECRET: SECRET,
    OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET, OIDC_AUDIENCE: 'mlflow-gateway',
    OIDC_SCOPES: 'openid profile email groups offline_access', OIDC_ADMIN_GROUPS: 'mlflow-admins', LOG_LEVEL: process.env.MLFLOW_OWN_LOG_LEVEL ?? 'warn',
    ...(MODE === 'admin' ? {} : { GATEWAY_DEFAULT_PERMISSION: 'MANAGE' }),
  });
  if (!loaded.ok) throw new Error(`gateway config invalid: ${JSON.stringify(loaded.problems)}`);
  // Log lines go to stderr (the pytest output), never to stdout (the protocol).
  const server = await buildServer(loaded.config, { logger: pino(loggerOptions(loaded.config.logLevel ?? 'warn'), process.stderr) });
  await server.listen();
  const username = MODE === 'admin' ? 'admin' : 'alice';
  const { access_token: idpToken } = await idp.getTokens(username);
  const res = await fetch(`${url}/_gateway/api/v1/tokens`, {
    method: 'POST', headers: { authorization: `Bearer ${idpToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'mlflow-own-tests', expires_in_days: 1 }),
  });
  const body = (await res.json()) as { token?: string };
  if (!res.ok || !body.token) throw new Error(`minting the personal token failed: ${res.status} ${JSON.stringify(body)}`);
  if (MODE === 'user-filtered') {
    const user = await server.gateway.store.users.getByUsername(username);
    if (!user) throw new Error(`${username} is unknown to the gateway after minting a token`);
    for (const [resourceType, resourceId] of [['experiment', HIDDEN_EXPERIMENT], ['registered_model', HIDDEN_MODEL]] as const) {
      await server.gateway.store.grants.set({ principalType: 'user', principal: user.id, resourceType, resourceId, level: 'NO_PERMISSIONS' });
    }
  }
  const id = nextId++;
  running.set(id, { server, idp });
  return { id, url, token: body.token };
}

async function stop(id: number): Promise<void> {
  const r = running.get(id);
  if (!r) return;
  running.delete(id);
  await r.server.close();
  await r.idp.stop();
}

const reply = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  void (async () => {
    try {
      const msg = JSON.parse(line) as { op: string; upstream?: string; port?: number; id?: number };
      if (msg.op === 'start') reply({ ok: true, ...(await start(msg.upstream!, msg.port ?? 0)) });
      else if (msg.op === 'stop') reply({ ok: true, stopped: await stop(msg.id!) });
      else reply({ ok: false, error: `unknown op ${msg.op}` });
    } catch (err) {
      reply({ ok: false, error: (err as Error).stack ?? String(err) });
    }
  })();
});
lines.on('close', () => {
  void Promise.all([...running.keys()].map(stop)).then(() => process.exit(0));
});
reply({ ok: true, ready: true, mode: MODE });
