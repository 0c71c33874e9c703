import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config/index.js';
import { DEMO_USERS, startDemoIdp } from '../devtools/idp/index.js';
import { freePort, pinnedMlflowVersion, startMlflow } from '../devtools/mlflow.js';
import { buildServer } from '../server/app.js';

/**
 * The embedded default: a demo OpenID Provider, the pinned MLflow from the project venv and the
 * gateway on SQLite, all on 127.0.0.1. State lives in ./.data/demo and survives restarts.
 * Port 0 puts every part on a free port (tests, a busy machine); otherwise the IdP and MLflow use
 * the two ports after the gateway's.
 */
export async function runDemo(requestedPort: number): Promise<void> {
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65533) {
    throw new Error('--port must be a port number (0 picks free ports)');
  }
  const say = (s: string) => process.stdout.write(`${s}\n`);
  const dir = resolve('.data/demo');
  mkdirSync(dir, { recursive: true });
  const secret = persisted(resolve(dir, 'gateway-secret'), () => randomBytes(48).toString('base64url'));
  const clientSecret = persisted(resolve(dir, 'client-secret'), () => randomBytes(24).toString('base64url'));
  const port = requestedPort === 0 ? await freePort() : requestedPort;
  const publicUrl = `http://127.0.0.1:${port}`;

  // MLflow runs in its own process group (so that it can be stopped as a whole) and therefore does
  // not get the terminal's Ctrl-C: every part started is stopped here, also when start-up is
  // interrupted or fails half-way, so that no MLflow is left behind.
  const started: (() => Promise<void>)[] = [];
  let starting: Promise<unknown> = Promise.resolve();
  /** Registers a part for stopping the moment it is up, so that an interruption can never miss it. */
  const start = <T extends { stop(): Promise<void> }>(part: Promise<T>): Promise<T> => {
    const registered = part.then((p) => (started.push(() => p.stop()), p));
    starting = registered.catch(() => undefined);
    return registered;
  };
  const aborted = new AbortController();
  let stopping: Promise<void> | undefined;
  const stopAll = () => (stopping ??= (async () => {
    aborted.abort(); // a starting MLflow stops itself
    await starting;
    while (started.length > 0) await started.pop()!().catch(() => undefined);
  })());
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      say(`[demo] ${signal}: still stopping…`);
      return;
    }
    say(`[demo] ${signal}: stopping the gateway, the demo OpenID Provider and MLflow…`);
    void stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    say(`[demo] starting MLflow ${pinnedMlflowVersion()} (the first run creates its Python venv: a few minutes)…`);
    const mlflowPort = requestedPort === 0 ? await freePort() : port + 2;
    const mlflow = await start(startMlflow({ port: mlflowPort, dataDir: resolve(dir, 'mlflow'), signal: aborted.signal }));
    say(`[demo] MLflow is up at ${mlflow.url} (reachable only through the gateway for users)`);

    const idp = await start(startDemoIdp({
      port: requestedPort === 0 ? 0 : port + 1,
      audience: 'mlflow-gateway',
      clients: [{
        clientId: 'mlflow-gateway', clientSecret,
        redirectUris: [`${publicUrl}/_gateway/callback`],
        postLogoutRedirectUris: [`${publicUrl}/_gateway/signed-out`],
        grantTypes: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      }, {
        // The public client `mlflow-oidc-gateway login` signs people in with (device code, or a browser and a loopback listener).
        clientId: 'mlflow-cli', public: true, applicationType: 'native', redirectUris: ['http://127.0.0.1/callback'],
        grantTypes: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
      }],
    }));
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
      OIDC_CLI_CLIENT_ID: 'mlflow-cli',
      OIDC_SCOPES: 'openid profile email groups offline_access',
      OIDC_AUDIENCE: 'mlflow-gateway',
      OIDC_ADMIN_GROUPS: 'mlflow-admins',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    });
    if (!result.ok) throw new Error(result.problems.map((p) => `${p.env} ${p.message}`).join('; '));
    const { server } = await start(buildServer(result.config).then((server) => ({ server, stop: () => server.close() })));
    await server.listen();
    if (aborted.signal.aborted) return; // interrupted while the gateway was starting; stopAll is at work
  } catch (err) {
    if (aborted.signal.aborted) return; // the failure is the interruption itself
    await stopAll();
    throw err;
  }

  say('');
  say(`  MLflow behind the gateway:  ${publicUrl}/`);
  say('  Demo sign-ins (user / password / groups):');
  for (const u of DEMO_USERS) say(`    ${u.username.padEnd(6)} / ${u.password.padEnd(11)} / ${u.groups.join(', ') || '(none)'}`);
  say(`  Python client:  eval "$(npx tsx src/cli/main.ts login --url ${publicUrl})"   (sign in, get a token)`);
  say('  Stop with Ctrl-C.');
  say('');
}

function persisted(file: string, make: () => string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = make();
  writeFileSync(file, value, { mode: 0o600 });
  return value;
}
