import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config/index.js';
import { DEMO_USERS, startDemoIdp } from '../devtools/idp/index.js';
import { pinnedMlflowVersion, startMlflow } from '../devtools/mlflow.js';
import { serve } from './serve.js';

/**
 * The embedded default: a demo OpenID Provider, the pinned MLflow from the project venv and the
 * gateway on SQLite, all on 127.0.0.1. State lives in ./.data/demo and survives restarts.
 */
export async function runDemo(port: number): Promise<void> {
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const dir = resolve('.data/demo');
  mkdirSync(dir, { recursive: true });
  const secret = persisted(resolve(dir, 'gateway-secret'), () => randomBytes(48).toString('base64url'));
  const clientSecret = persisted(resolve(dir, 'client-secret'), () => randomBytes(24).toString('base64url'));
  const publicUrl = `http://127.0.0.1:${port}`;

  say(`[demo] starting MLflow ${pinnedMlflowVersion()} (the first run creates its Python venv: a few minutes)…`);
  const mlflow = await startMlflow({ port: port + 2, dataDir: resolve(dir, 'mlflow') });
  say(`[demo] MLflow is up at ${mlflow.url} (reachable only through the gateway for users)`);

  const idp = await startDemoIdp({
    port: port + 1,
    audience: 'mlflow-gateway',
    clients: [{
      clientId: 'mlflow-gateway', clientSecret,
      redirectUris: [`${publicUrl}/_gateway/callback`],
      postLogoutRedirectUris: [`${publicUrl}/_gateway/signed-out`],
      grantTypes: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    }],
  });
  say(`[demo] demo OpenID Provider at ${idp.issuer}`);

  const result = loadConfig({
    MLFLOW_UPSTREAM_URL: mlflow.url,
    GATEWAY_PUBLIC_URL: publicUrl,
    GATEWAY_PORT: String(port),
    GATEWAY_DATABASE_URL: `sqlite:${resolve(dir, 'gateway.db')}`,
    GATEWAY_SECRET: secret,
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: 'mlflow-gateway',
    OIDC_CLIENT_SECRET: clientSecret,
    OIDC_SCOPES: 'openid profile email groups offline_access',
    OIDC_AUDIENCE: 'mlflow-gateway',
    OIDC_ADMIN_GROUPS: 'mlflow-admins',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  });
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.env} ${p.message}`).join('; '));
  const server = await serve(result.config, []);
  const stopAll = async () => {
    await Promise.allSettled([idp.stop(), mlflow.stop()]);
  };
  server.app.addHook('onClose', stopAll);

  say('');
  say(`  MLflow behind the gateway:  ${publicUrl}/`);
  say('  Demo sign-ins (user / password / groups):');
  for (const u of DEMO_USERS) say(`    ${u.username.padEnd(6)} / ${u.password.padEnd(11)} / ${u.groups.join(', ') || '(none)'}`);
  say(`  Python client:  MLFLOW_TRACKING_URI=${publicUrl} MLFLOW_TRACKING_TOKEN=<access token>`);
  say('  Stop with Ctrl-C.');
  say('');
}

function persisted(file: string, make: () => string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = make();
  writeFileSync(file, value, { mode: 0o600 });
  return value;
}
