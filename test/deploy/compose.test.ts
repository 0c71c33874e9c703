import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config/index.js';

// deploy/compose/ without a Docker engine: the file is read as the compose loader would (YAML, ${VAR}
// interpolation from .env.example), then checked for what the stack relies on. The gateway's resulting
// environment goes through the real configuration loader. `docker compose config` runs in
// scripts/validate-deploy.sh when the compose CLI exists (deploy-tools.test.ts).
const DIR = resolve(import.meta.dirname, '../../deploy/compose');
const read = (file: string) => readFileSync(resolve(DIR, file), 'utf8');

interface Service {
  image?: string;
  build?: { args?: Record<string, string> };
  ports?: string[];
  network_mode?: string;
  environment?: Record<string, string>;
  healthcheck?: { test: unknown };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  volumes?: string[];
}

function envFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** Compose interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}; $$ is a literal $. */
function interpolate(text: string, env: Record<string, string>, missing: string[]): string {
  return text.replace(/\$\$|\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (whole, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (whole === '$$') return '$';
    const value = env[name!];
    if (value !== undefined && value !== '') return value;
    if (op === '-') return arg ?? '';
    missing.push(name!);
    return '';
  });
}

const example = envFile(read('.env.example'));
const missing: string[] = [];
const compose = parseYaml(interpolate(read('docker-compose.yml'), example, missing)) as { services: Record<string, Service> };
const services = compose.services;

describe('deploy/compose', () => {
  it('every variable the file needs is in .env.example, and .env.example holds no real secret', () => {
    expect(missing).toEqual([]);
    for (const [name, value] of Object.entries(example)) {
      if (/PASSWORD|SECRET/.test(name)) expect(value, name).toMatch(/^change-me/);
    }
  });

  it('has the gateway, MLflow at the pinned version, PostgreSQL, MinIO and Keycloak, with an optional Redis', () => {
    expect(Object.keys(services).sort()).toEqual(['edge', 'gateway', 'keycloak', 'minio', 'mlflow', 'postgres', 'redis']);
    const pinned = readFileSync(resolve(DIR, '../../mlflow-version.txt'), 'utf8').trim();
    expect(services.mlflow!.build!.args!.MLFLOW_VERSION).toBe(pinned);
    expect(services.mlflow!.image).toContain(pinned);
    expect(read('mlflow/Dockerfile')).toContain(`ARG MLFLOW_VERSION=${pinned}`);
    expect(services.redis!.profiles).toEqual(['redis']);
  });

  it('publishes only the gateway and the sign-in page, on loopback; MLflow is reachable only through the gateway', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (name !== 'edge') expect(svc.ports, name).toBeUndefined();
    }
    expect(services.edge!.ports).toEqual(['127.0.0.1:8080:8080', '127.0.0.1:8081:8081']);
    expect(services.gateway!.network_mode).toBe('service:edge');
    expect(services.keycloak!.network_mode).toBe('service:edge');
  });

  it('MLflow serves artifacts from MinIO and keeps its Host check on for the gateway only', () => {
    const mlflow = services.mlflow!;
    expect(mlflow.environment!.MLFLOW_ARTIFACTS_DESTINATION).toBe('s3://mlflow-artifacts/');
    expect(mlflow.environment!.MLFLOW_BACKEND_STORE_URI).toMatch(/^postgresql:\/\/mlflow:[^@]+@postgres:5432\/mlflow$/);
    expect((mlflow as { command: string[] }).command).toContain('--serve-artifacts');
    expect((mlflow as { command: string[] }).command).toContain('--allowed-hosts=mlflow:5000,localhost:*,127.0.0.1:*');
  });

  it('waits on health: every long-running service has a healthcheck the gateway depends on', () => {
    for (const name of ['postgres', 'minio', 'mlflow', 'keycloak', 'redis']) expect(services[name]!.healthcheck, name).toBeDefined();
    expect(services.gateway!.depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
      mlflow: { condition: 'service_healthy' },
      keycloak: { condition: 'service_healthy' },
    });
    expect(services.mlflow!.depends_on).toMatchObject({ postgres: { condition: 'service_healthy' }, minio: { condition: 'service_healthy' } });
  });

  it("the gateway's environment is a valid configuration (PostgreSQL store, Keycloak issuer, admin group)", () => {
    const result = loadConfig(services.gateway!.environment!);
    if (!result.ok) throw new Error(result.problems.map((p) => `${p.env} ${p.message}`).join('\n'));
    expect(result.config.databaseUrl).toMatch(/^postgres:\/\/gateway:[^@]+@postgres:5432\/gateway$/);
    expect(result.config.issuer).toBe('http://localhost:8081/realms/mlflow');
    expect(result.config.adminGroups).toEqual(['mlflow-admins']);
  });

  it('PostgreSQL gets one database per service from the init script', () => {
    expect(services.postgres!.volumes).toContain('./postgres/init-databases.sh:/docker-entrypoint-initdb.d/10-init-databases.sh:ro');
    const script = read('postgres/init-databases.sh');
    for (const db of ['gateway', 'mlflow', 'keycloak']) expect(script).toContain(`${db})`);
  });
});

describe('deploy/compose/keycloak realm', () => {
  const realm = JSON.parse(read('keycloak/realm-mlflow.json')) as {
    realm: string;
    users: { username: string; groups: string[]; credentials: { value: string }[] }[];
    clients: { clientId: string; publicClient: boolean; secret?: string; redirectUris: string[]; attributes: Record<string, string>; protocolMappers: { protocolMapper: string; config: Record<string, string> }[] }[];
  };

  it('is the realm the gateway uses as its issuer', () => {
    expect(`http://localhost:8081/realms/${realm.realm}`).toBe(services.gateway!.environment!.OIDC_ISSUER);
  });

  it('has alice in team-a, bob in team-b and admin in mlflow-admins, with the password from .env', () => {
    const groups = Object.fromEntries(realm.users.map((u) => [u.username, u.groups]));
    expect(groups).toEqual({ alice: ['/team-a'], bob: ['/team-b'], admin: ['/mlflow-admins'] });
    for (const u of realm.users) expect(u.credentials[0]!.value).toBe('${DEMO_USER_PASSWORD}');
  });

  it("has a confidential client for the gateway whose redirect URI is the gateway's callback, and a groups claim", () => {
    const client = realm.clients.find((c) => c.clientId === services.gateway!.environment!.OIDC_CLIENT_ID)!;
    expect(client.publicClient).toBe(false);
    expect(client.secret).toBe('${OIDC_CLIENT_SECRET}');
    expect(client.redirectUris).toEqual([`${services.gateway!.environment!.GATEWAY_PUBLIC_URL}/_gateway/callback`]);
    expect(client.attributes['pkce.code.challenge.method']).toBe('S256');
    const groups = client.protocolMappers.find((m) => m.protocolMapper === 'oidc-group-membership-mapper')!;
    expect(groups.config).toMatchObject({ 'claim.name': 'groups', 'full.path': 'false', 'id.token.claim': 'true', 'access.token.claim': 'true' });
    const audience = client.protocolMappers.find((m) => m.protocolMapper === 'oidc-audience-mapper')!;
    expect(audience.config['included.client.audience']).toBe('mlflow-gateway');
  });

  it('has the public CLI client named by OIDC_CLI_CLIENT_ID (device grant, no secret)', () => {
    const cli = realm.clients.find((c) => c.clientId === services.gateway!.environment!.OIDC_CLI_CLIENT_ID)!;
    expect(cli.publicClient).toBe(true);
    expect(cli.secret).toBeUndefined();
    expect(cli.attributes['oauth2.device.authorization.grant.enabled']).toBe('true');
  });
});
