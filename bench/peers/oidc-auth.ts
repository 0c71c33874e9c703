import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { exec } from '../lib/exec.js';
import { callOk } from '../lib/http.js';
import { PEER_CLIENT_ID, PEER_CLIENT_SECRET } from '../lib/idp.js';
import { startBenchMlflow, type BenchMlflow } from '../lib/mlflow-server.js';

// Peer 2: the mlflow-oidc-auth plugin (`mlflow server --app-name oidc-auth`), on the same MLflow
// version and backend store as the direct server, configured against the same demo IdP. Callers
// send the same bearer JWTs as to the gateway; users are provisioned on their first bearer call
// (OIDC_PROVISION_ON_BEARER_AUTH, which needs OIDC_AUDIENCE and OIDC_ISSUER), deny by default, and
// grants are written with the plugin's own store (oidc_auth_grants.py).

const HERE = dirname(fileURLToPath(import.meta.url));

export interface OidcAuthPeer {
  readonly server: BenchMlflow;
  /** The plugin's username for a token (its OIDC_USERNAME_FIELD default: email first). */
  usernameOf(token: string): string;
  /** Makes the plugin provision the token's user (first bearer call). */
  provision(token: string): Promise<void>;
  grant(grants: ({ username: string; permission: string } & ({ experiment_id: string } | { model: string }))[]): Promise<void>;
}

export async function startOidcAuthPeer(opts: { venv: string; dataDir: string; workDir: string; port: number; issuer: string; audience: string }): Promise<OidcAuthPeer> {
  const url = `http://127.0.0.1:${opts.port}`;
  const env: Record<string, string> = {
    OIDC_DISCOVERY_URL: `${opts.issuer}/.well-known/openid-configuration`,
    OIDC_CLIENT_ID: PEER_CLIENT_ID,
    OIDC_CLIENT_SECRET: PEER_CLIENT_SECRET,
    OIDC_REDIRECT_URI: `${url}/callback`,
    OIDC_SCOPE: 'openid email profile groups',
    OIDC_ISSUER: opts.issuer,
    OIDC_AUDIENCE: opts.audience,
    OIDC_PROVISION_ON_BEARER_AUTH: 'true',
    OIDC_GROUP_NAME: 'team-a',
    OIDC_ADMIN_GROUP_NAME: 'mlflow-admins',
    DEFAULT_MLFLOW_PERMISSION: 'NO_PERMISSIONS',
    SECRET_KEY: 'bench-oidc-auth-secret-key-0123456789',
    OIDC_USERS_DB_URI: `sqlite:///${join(opts.workDir, 'oidc_auth.db')}`,
  };
  const server = await startBenchMlflow({ name: 'mlflow-oidc-auth', venv: opts.venv, dataDir: opts.dataDir, appName: 'oidc-auth', port: opts.port, env, logFile: join(opts.workDir, 'mlflow-oidc-auth.log') });
  return {
    server,
    usernameOf(token) {
      const claims = decodeJwt(token);
      return String(claims.email ?? claims.preferred_username);
    },
    async provision(token) {
      await callOk('GET', `${url}/api/2.0/mlflow/users/current`, { headers: { authorization: `Bearer ${token}` } });
    },
    async grant(grants) {
      const r = await exec(join(opts.venv, 'bin/python'), [join(HERE, 'oidc_auth_grants.py')], { input: JSON.stringify(grants), env: { ...process.env, ...env }, timeoutMs: 180_000 });
      if (r.code !== 0) throw new Error(`mlflow-oidc-auth grants failed (${r.code}): ${r.stderr.slice(-2000)}`);
    },
  };
}
