// A real Keycloak (the Maven Central distribution prepared by scripts/keycloak.sh) with the realm
// test/interop/keycloak/realm.json, for test/interop/keycloak.test.ts.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../src/devtools/mlflow.js';
import { scriptOutput } from './availability.js';
import { startProcess, waitForUrl, type ServerProcess } from './process.js';

const SCRIPT = 'scripts/keycloak.sh';
const REALM_FILE = 'test/interop/keycloak/realm.json';
export const REALM = 'mlflow';
export const GATEWAY_CLIENT = { id: 'mlflow-gateway', secret: 'keycloak-interop-secret-0123456789' };
/** A confidential client with only a service account (client-credentials grant); its tokens name mlflow-gateway in `aud`. */
export const CI_CLIENT = { id: 'mlflow-ci', secret: 'keycloak-ci-secret-0123456789' };
/** Users of the realm file: name → password and the group Keycloak puts in their tokens. */
export const KEYCLOAK_USERS = {
  alice: { password: 'alice-pass', group: 'team-a' },
  bob: { password: 'bob-pass', group: 'team-b' },
  root: { password: 'root-pass', group: 'mlflow-admins' },
} as const;
export type KeycloakUser = keyof typeof KEYCLOAK_USERS;

/** Why Keycloak cannot run here, or undefined when it can. */
export function keycloakMissing(): string | undefined {
  if (process.env.KEYCLOAK_URL) return undefined;
  if (scriptOutput(SCRIPT, ['--java-home']) === undefined) return 'no JDK ≥ 21 (Keycloak 26 needs one; set KEYCLOAK_JAVA_HOME)';
  if (scriptOutput(SCRIPT, ['--check']) === undefined) return `Keycloak is not prepared: run \`bash ${SCRIPT}\` once (downloads it from Maven Central)`;
  return undefined;
}

export interface Keycloak {
  readonly url: string;
  readonly issuer: string;
  /** Milliseconds from spawn until the realm's discovery document answered. */
  readonly startMs: number;
  /** Tokens for a realm user by the resource-owner password grant (direct access grants are on for the client). */
  passwordGrant(user: KeycloakUser): Promise<{ access_token: string; id_token: string }>;
  /** An access token of the realm's `mlflow-ci` client by the client-credentials grant (a machine, no person). */
  clientCredentials(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts Keycloak on a free loopback port: production mode on the prepared (optimized) build, plain
 * HTTP, in-memory H2 (dev-mem: nothing persists), realm imported at start. KEYCLOAK_URL reuses a
 * server that already runs with that realm (handy while writing tests; never set in CI).
 * `realmEnv`: environment for the realm file's placeholders (GATEWAY_BACKCHANNEL_LOGOUT_URL).
 */
export async function startKeycloak(realmEnv: Record<string, string> = {}): Promise<Keycloak> {
  let proc: ServerProcess | undefined;
  let url = process.env.KEYCLOAK_URL?.replace(/\/$/, '');
  const started = Date.now();
  if (!url) {
    const dist = scriptOutput(SCRIPT, ['--check'])!;
    const javaHome = scriptOutput(SCRIPT, ['--java-home'])!;
    // --import-realm reads <dist>/data/import; the realm file is copied there at every start so the
    // committed file is always the one imported.
    mkdirSync(join(dist, 'data/import'), { recursive: true });
    copyFileSync(REALM_FILE, join(dist, 'data/import', `${REALM}-realm.json`));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    proc = startProcess(join(dist, 'bin/kc.sh'), [
      'start', '--optimized', '--http-enabled=true', '--http-host=127.0.0.1', `--http-port=${port}`,
      '--hostname-strict=false', '--import-realm', '--log-level=warn',
      '--cache=local', // one node: no cluster discovery at start
    ], {
      // C1 only: a short-lived test server starts in about two thirds of the time on two busy cores.
      // realmEnv fills the realm file's ${...} placeholders (Keycloak resolves them at import).
      env: { JAVA_HOME: javaHome, JAVA_OPTS_APPEND: '-XX:TieredStopAtLevel=1', ...realmEnv },
    });
    await waitForUrl(proc, `${url}/realms/${REALM}/.well-known/openid-configuration`, 240_000);
  }
  const issuer = `${url}/realms/${REALM}`;
  const startMs = Date.now() - started;
  return {
    url, issuer, startMs,
    async passwordGrant(user) {
      const res = await fetch(`${issuer}/protocol/openid-connect/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password', client_id: GATEWAY_CLIENT.id, client_secret: GATEWAY_CLIENT.secret,
          username: user, password: KEYCLOAK_USERS[user].password, scope: 'openid',
        }),
      });
      if (!res.ok) throw new Error(`Keycloak password grant for ${user}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { access_token: string; id_token: string };
    },
    async clientCredentials() {
      const res = await fetch(`${issuer}/protocol/openid-connect/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CI_CLIENT.id, client_secret: CI_CLIENT.secret }),
      });
      if (!res.ok) throw new Error(`Keycloak client credentials: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { access_token: string }).access_token;
    },
    stop: async () => proc?.stop(),
  };
}
