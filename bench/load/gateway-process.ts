import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { startDemoIdp, type DemoIdp } from '../../src/devtools/idp/index.js';
import { freePort } from '../../src/devtools/mlflow.js';

const CLIENT_ID = 'mlflow-gateway';
const CLIENT_SECRET = 'load-client-secret-0123456789';
const SECRET = 'load-gateway-secret-0123456789-abcdefghijklmnop';

// The gateway as an operator runs it: `mlflow-oidc-gateway serve` in its own process (signals,
// exit code and RSS are the process's own), in front of a real MLflow, with a real IdP (the demo
// OpenID Provider) in the calling process. Used by integration tests and `npm run bench:load`.
const ROOT = resolve(import.meta.dirname, '../..');
// node with tsx's loader, not the tsx wrapper: signals and RSS then belong to the gateway itself.
const NODE_ARGS = ['--import', 'tsx', 'src/cli/main.ts', 'serve'];

export interface GatewayProcess {
  readonly gatewayUrl: string;
  readonly idp: DemoIdp;
  readonly child: ChildProcess;
  /** Every JSON log line the gateway wrote to stdout. */
  readonly logs: string[];
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  readonly exited: Promise<number | string>;
  /** Sends SIGKILL if still running, then stops the IdP. */
  stop(): Promise<void>;
}

export async function startGatewayProcess(mlflowUrl: string, env: Record<string, string> = {}): Promise<GatewayProcess> {
  const port = await freePort();
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const idp = await startDemoIdp({
    audience: 'mlflow-gateway',
    clients: [{
      clientId: CLIENT_ID, clientSecret: CLIENT_SECRET,
      redirectUris: [`${gatewayUrl}/_gateway/callback`], postLogoutRedirectUris: [`${gatewayUrl}/_gateway/signed-out`],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    }],
  });
  const child = spawn(process.execPath, NODE_ARGS, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '',
      MLFLOW_UPSTREAM_URL: mlflowUrl, GATEWAY_PUBLIC_URL: gatewayUrl, GATEWAY_PORT: String(port),
      GATEWAY_DATABASE_URL: 'sqlite::memory:', GATEWAY_SECRET: SECRET,
      OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_SCOPES: 'openid profile email groups offline_access', OIDC_AUDIENCE: 'mlflow-gateway', OIDC_ADMIN_GROUPS: 'mlflow-admins',
      LOG_LEVEL: 'info', ...env,
    },
  });
  const logs: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => void (stderr += d.toString('utf8')));
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    logs.push(...lines.filter(Boolean));
  });
  const exited = new Promise<number | string>((done) => child.once('exit', (code, signal) => done(code ?? signal ?? -1)));
  const listening = await Promise.race([
    (async () => {
      for (let i = 0; i < 1200; i++) {
        // Whatever the log level: the process is up when liveness answers.
        const live = await fetch(`${gatewayUrl}/_gateway/healthz`).then((r) => r.ok, () => false);
        if (live) return true;
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    })(),
    exited.then(() => false),
  ]);
  if (!listening) {
    child.kill('SIGKILL');
    await idp.stop();
    throw new Error(`gateway process did not start:\n${stderr}\n${logs.join('\n')}`);
  }
  return {
    gatewayUrl, idp, child, logs, exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      await idp.stop();
    },
  };
}
