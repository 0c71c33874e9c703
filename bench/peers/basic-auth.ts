import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { basicAuth, call, callOk } from '../lib/http.js';
import { startBenchMlflow, type BenchMlflow } from '../lib/mlflow-server.js';
import { median } from '../lib/stats.js';

// Peer 1: MLflow's built-in authentication (`mlflow server --app-name basic-auth`), on the same
// MLflow version and backend store as the direct server. Deny by default like the gateway
// (default_permission = NO_PERMISSIONS); users and grants through its REST API; every call carries
// HTTP Basic credentials. Its credential cache is turned on (auth_cache_ttl_seconds, off by
// default): without it every call pays a password hash, hundreds of ms on this machine under
// concurrency, which left cells with no answers at all. What an uncached check costs is measured
// separately (measureCredentialCheck) and reported.

const ADMIN_PASSWORD = 'bench-admin-password-0123456789';
export const userPassword = (username: string) => `${username}-bench-password-0123`;

export interface BasicAuthPeer {
  readonly server: BenchMlflow;
  headersFor(username: string): Record<string, string>;
  createUser(username: string): Promise<void>;
  grantExperiment(username: string, experimentId: string, permission: string): Promise<void>;
  grantModel(username: string, name: string, permission: string): Promise<void>;
  /** Median latency (ms) of a user's first call (password hash checked) and of its next calls (cached). */
  measureCredentialCheck(users: number): Promise<{ uncachedMs: number; cachedMs: number }>;
}

export async function startBasicAuthPeer(opts: { venv: string; dataDir: string; workDir: string }): Promise<BasicAuthPeer> {
  const ini = join(opts.workDir, 'basic_auth.ini');
  writeFileSync(ini, [
    '[mlflow]',
    'default_permission = NO_PERMISSIONS',
    `database_uri = sqlite:///${join(opts.workDir, 'basic_auth.db')}`,
    'admin_username = admin',
    `admin_password = ${ADMIN_PASSWORD}`,
    'authorization_function = mlflow.server.auth:authenticate_request_basic_auth',
    'auth_cache_ttl_seconds = 3600',
    'auth_cache_max_size = 10000',
    '',
  ].join('\n'));
  const server = await startBenchMlflow({
    name: 'basic-auth', venv: opts.venv, dataDir: opts.dataDir, appName: 'basic-auth', logFile: join(opts.workDir, 'mlflow-basic-auth.log'),
    env: { MLFLOW_AUTH_CONFIG_PATH: ini, MLFLOW_FLASK_SERVER_SECRET_KEY: 'bench-flask-secret-0123456789' },
  });
  const admin = { authorization: basicAuth('admin', ADMIN_PASSWORD) };
  const api = `${server.url}/api/2.0/mlflow`;
  const api3 = `${server.url}/api/3.0/mlflow`;
  return {
    server,
    headersFor: (username) => ({ authorization: basicAuth(username, userPassword(username)) }),
    async createUser(username) {
      const r = await call('POST', `${api}/users/create`, { headers: admin, body: { username, password: userPassword(username) } });
      if (r.status !== 200 && !r.text.includes('already exists')) throw new Error(`basic-auth: creating ${username} failed: ${r.status} ${r.text}`);
    },
    // MLflow 3.17's RBAC store: one grant = one permission on the user's own role.
    async grantExperiment(username, experimentId, permission) {
      await callOk('POST', `${api3}/users/permissions/grant`, { headers: admin, body: { username, resource_type: 'experiment', resource_id: experimentId, permission } });
    },
    async measureCredentialCheck(users) {
      const uncached: number[] = [];
      const cached: number[] = [];
      const timed = async (headers: Record<string, string>) => {
        const t0 = performance.now();
        await callOk('GET', `${api}/users/current`, { headers });
        return performance.now() - t0;
      };
      for (let i = 0; i < users; i++) {
        const username = `hash-probe-${i}`;
        await callOk('POST', `${api}/users/create`, { headers: admin, body: { username, password: userPassword(username) } });
        const headers = { authorization: basicAuth(username, userPassword(username)) };
        uncached.push(await timed(headers));
        cached.push(await timed(headers));
      }
      return { uncachedMs: median(uncached), cachedMs: median(cached) };
    },
    async grantModel(username, name, permission) {
      await callOk('POST', `${api3}/users/permissions/grant`, { headers: admin, body: { username, resource_type: 'registered_model', resource_id: name, permission } });
    },
  };
}
