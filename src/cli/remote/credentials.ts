// The token `login` saved, per gateway, for `whoami`, `tokens` and `logout`. One JSON file only
// its owner can read (0600, in a 0700 directory), like ~/.netrc or the cloud CLIs' credentials.
import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseToken } from '../../tokens/format.js';
import { CliError } from './gateway-client.js';

export interface SavedToken {
  readonly token: string;
  readonly token_id: string;
  readonly username: string;
  readonly expires_at: string;
}

interface CredentialsFile {
  /** The gateway of the latest login: used when no --url is given. */
  default?: string;
  gateways: Record<string, SavedToken>;
}

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'mlflow-oidc-gateway', 'credentials.json');
}

function read(path: string): CredentialsFile {
  if (!existsSync(path)) return { gateways: {} };
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as CredentialsFile;
    return { ...parsed, gateways: parsed.gateways ?? {} };
  } catch {
    throw new CliError(`${path} is not valid JSON; delete it and log in again`);
  }
}

/** Writes `content` to `path` readable by its owner only, also when the file already existed. */
export function writePrivateFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
  try {
    fchmodSync(fd, 0o600); // the umask or an existing file must not widen it
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  chmodSync(path, 0o600);
}

export function saveToken(url: string, saved: SavedToken, path = credentialsPath()): void {
  const file = read(path);
  file.gateways[url] = saved;
  file.default = url;
  writePrivateFile(path, `${JSON.stringify(file, null, 2)}\n`);
}

export function forgetToken(url: string, path = credentialsPath()): void {
  const file = read(path);
  if (!(url in file.gateways)) return;
  delete file.gateways[url];
  if (file.default === url) delete file.default;
  writePrivateFile(path, `${JSON.stringify(file, null, 2)}\n`);
}

/** The gateway and token to use: --url if given, else MLFLOW_TRACKING_URI if saved, else the latest login. */
export function savedToken(url: string | undefined, path = credentialsPath()): { url: string; saved: SavedToken } {
  const file = read(path);
  const tracking = process.env.MLFLOW_TRACKING_URI?.replace(/\/+$/, '');
  const chosen = url ?? (tracking && tracking in file.gateways ? tracking : file.default);
  const saved = chosen === undefined ? undefined : file.gateways[chosen];
  if (chosen === undefined || !saved) {
    throw new CliError(`Not logged in${chosen ? ` to ${chosen}` : ''}: run \`mlflow-oidc-gateway login --url <gateway URL>\` first`);
  }
  return { url: chosen, saved };
}

/**
 * The token an MLflow client on this machine acts with: MLFLOW_TRACKING_TOKEN when it is set (as
 * the MLflow client itself prefers it), at --url, else MLFLOW_TRACKING_URI, else the latest
 * login's gateway; otherwise the token `login` saved. So `whoami` answers for what the MLflow
 * client will do, not for a saved login the environment overrides.
 */
export function tokenInUse(url: string | undefined, env: NodeJS.ProcessEnv = process.env, path = credentialsPath()): {
  url: string; token: string; tokenId: string | undefined; source: 'MLFLOW_TRACKING_TOKEN' | 'saved login';
} {
  const fromEnv = env.MLFLOW_TRACKING_TOKEN?.trim();
  if (!fromEnv) {
    const { url: chosen, saved } = savedToken(url, path);
    return { url: chosen, token: saved.token, tokenId: saved.token_id, source: 'saved login' };
  }
  const chosen = url ?? env.MLFLOW_TRACKING_URI?.replace(/\/+$/, '') ?? read(path).default;
  if (!chosen) throw new CliError('MLFLOW_TRACKING_TOKEN is set but no gateway is given: use --url https://… (or set MLFLOW_TRACKING_URI)');
  return { url: chosen, token: fromEnv, tokenId: parseToken(fromEnv)?.id, source: 'MLFLOW_TRACKING_TOKEN' };
}
