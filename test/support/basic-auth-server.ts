// A real `mlflow server --app-name basic-auth` of the pinned MLflow, in its own temp dir and port:
// the reference the gateway's MLflow auth API is compared with, and the product whose database the
// basic-auth importer reads. It runs from the peers' venv (bench/scripts/peer-venv.sh: the pinned
// MLflow with its `auth` extra, which the basic-auth app and AuthServiceClient import).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePeerVenv } from '../../bench/lib/venvs.js';
import { startMlflow, type MlflowServer } from '../../src/devtools/mlflow.js';

export const BASIC_AUTH_ADMIN = { username: 'admin', password: 'admin-password-1234567' };

export interface BasicAuthServer extends MlflowServer {
  /** The auth database as MLflow wrote it (SQLite file). */
  readonly authDbPath: string;
  readonly iniPath: string;
  /** The interpreter of the venv that has MLflow's auth extra (AuthServiceClient imports it). */
  readonly python: string;
}

/**
 * `databaseUri`: where MLflow keeps its auth database (SQLAlchemy URL, e.g. postgresql://…; the
 * peers' venv has psycopg2). Default: a SQLite file in the server's temp dir (authDbPath).
 */
export async function startBasicAuthServer(opts: { defaultPermission?: string; databaseUri?: string } = {}): Promise<BasicAuthServer> {
  const venv = ensurePeerVenv();
  const dataDir = mkdtempSync(join(tmpdir(), 'mlflow-basic-auth-'));
  const authDbPath = join(dataDir, 'basic_auth.db');
  const iniPath = join(dataDir, 'basic_auth.ini');
  writeFileSync(iniPath, [
    '[mlflow]',
    `default_permission = ${opts.defaultPermission ?? 'READ'}`,
    `database_uri = ${opts.databaseUri ?? `sqlite:///${authDbPath}`}`,
    `admin_username = ${BASIC_AUTH_ADMIN.username}`,
    `admin_password = ${BASIC_AUTH_ADMIN.password}`,
    'authorization_function = mlflow.server.auth:authenticate_request_basic_auth',
    '',
  ].join('\n'));
  const server = await startMlflow({
    venv, dataDir,
    // The auth app's first start (its migrations) is slow on a busy machine.
    startTimeoutMs: 400_000,
    args: ['--app-name', 'basic-auth'],
    env: { MLFLOW_AUTH_CONFIG_PATH: iniPath, MLFLOW_FLASK_SERVER_SECRET_KEY: 'test-flask-secret-0123456789' },
  });
  return { ...server, authDbPath, iniPath, python: join(venv, 'bin/python') };
}
