import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { freePort } from '../../src/devtools/mlflow.js';
import { startDemoIdp, type DemoIdp } from '../../src/devtools/idp/index.js';
import { startReplicaProcess, type ReplicaProcess } from '../support/replica-process.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../support/postgres.js';
import { redisAvailable, startRedis, type RedisServer } from '../support/redis.js';
import { within } from '../support/replica.js';
import { signIn } from '../support/sign-in.js';
import { unique } from '../support/mlflow-api.js';
import { CLIENT_ID, CLIENT_SECRET, demoIdpEnv, type Stack } from '../support/stack.js';

// Three gateway processes (the CLI's `serve`) on different ports share one PostgreSQL, in front of
// the suite's real MLflow and a real IdP: what one replica writes, every other enforces — a session
// started on one works on the others, and a token revocation, a grant change and a user disable made
// on one are enforced by the others within 1 s (the bound), although every replica caches
// tokens, users and grants. Once with Redis carrying the invalidations, once with PostgreSQL's
// LISTEN/NOTIFY alone.

const BOUND_MS = 1000;

const variants = [
  { name: 'PostgreSQL + Redis pub/sub', redis: true },
  { name: 'PostgreSQL LISTEN/NOTIFY (no Redis)', redis: false },
] as const;

const runnable = postgresAvailable() && redisAvailable();

describe.runIf(runnable).each(variants)('three replicas sharing $name', ({ redis: withRedis }) => {
  let pg: PostgresServer;
  let redis: RedisServer | undefined;
  let idp: DemoIdp;
  let replicas: ReplicaProcess[];
  const tokens: Record<string, string> = {};

  const call = (replica: ReplicaProcess, path: string, init: { token?: string; cookie?: string; method?: string; body?: unknown } = {}) =>
    fetch(`${replica.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.cookie ? { cookie: init.cookie } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  /** Polls `path` on `replica` until it answers `status`; the time it took (Infinity: not within 5 s). */
  const untilStatus = (replica: ReplicaProcess, path: string, status: number, init: { token?: string; cookie?: string } = {}) =>
    within(5000, async () => (await call(replica, path, init)).status === status, 20);

  beforeAll(async () => {
    pg = await startPostgres();
    redis = withRedis ? await startRedis() : undefined;
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    idp = await startDemoIdp({
      audience: 'mlflow-gateway',
      clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: urls.map((u) => `${u}/_gateway/callback`), postLogoutRedirectUris: urls.map((u) => `${u}/_gateway/signed-out`), grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] }],
    });
    const env = {
      MLFLOW_UPSTREAM_URL: inject('mlflowUrl'),
      GATEWAY_DATABASE_URL: await pg.createDatabase(),
      ...demoIdpEnv(idp.issuer),
      // Long TTLs: a change can only be seen in time through the bus, never by an entry expiring.
      GATEWAY_CACHE_TTL: '1h',
      GATEWAY_GRANT_CACHE_TTL: '1h',
      GATEWAY_AUTH_FAILURE_LIMIT: '1000',
      LOG_LEVEL: 'info',
      ...(redis ? { GATEWAY_REDIS_URL: redis.url } : {}),
    };
    // Started one after the other: their migrations would be safe together, but the machine is small.
    replicas = [];
    for (const port of ports) replicas.push(await startReplicaProcess(env, port));
    for (const u of ['alice', 'bob', 'admin']) tokens[u] = (await idp.getTokens(u)).access_token;
    // Every replica knows every user (grants name known users).
    for (const r of replicas) for (const u of ['alice', 'bob', 'admin']) expect((await call(r, '/_gateway/api/v1/tokens', { token: tokens[u]! })).status).toBe(200);
  }, 240_000);

  afterAll(async () => {
    await Promise.all((replicas ?? []).map((r) => r.stop()));
    await idp?.stop();
    await redis?.stop();
    await pg?.stop();
  });

  it('each replica uses the configured invalidation bus', () => {
    for (const r of replicas) expect(r.output()).toContain(`invalidation bus (${withRedis ? 'redis' : 'postgres'}) connected`);
  });

  it('a session started on one replica works on the others', async () => {
    const stack = { gatewayUrl: replicas[0]!.url, idp } as unknown as Stack;
    const { browser } = await signIn(stack, 'alice');
    const cookie = browser.cookieHeader(replicas[0]!.url);
    expect(cookie).toContain('mlflow_gateway_session=');
    for (const r of replicas) {
      const res = await call(r, '/_gateway/api/v1/sessions', { cookie });
      expect(res.status, r.url).toBe(200);
    }
  });

  it('a personal token revoked on one replica is refused by the others within 1 s', async () => {
    const minted = await call(replicas[0]!, '/_gateway/api/v1/tokens', { token: tokens.alice!, method: 'POST', body: { name: unique('replicas'), expires_in_days: 1 } });
    expect(minted.status).toBe(201);
    const { id, token } = (await minted.json()) as { id: string; token: string };
    const search = '/api/2.0/mlflow/experiments/search?max_results=1';
    for (const r of replicas.slice(1)) {
      expect((await call(r, search, { token })).status).toBe(200);
      expect((await call(r, search, { token })).status).toBe(200); // cached there now
    }
    expect((await call(replicas[0]!, `/_gateway/api/v1/tokens/${id}`, { token: tokens.alice!, method: 'DELETE' })).status).toBe(204);
    const took = await Promise.all(replicas.slice(1).map((r) => untilStatus(r, search, 401, { token })));
    for (const ms of took) expect(ms).toBeLessThanOrEqual(BOUND_MS);
  });

  it('a grant given and taken back on one replica is enforced by the others within 1 s', async () => {
    const created = await call(replicas[0]!, '/api/2.0/mlflow/experiments/create', { token: tokens.alice!, method: 'POST', body: { name: unique('replicas') } });
    expect(created.status).toBe(200);
    const { experiment_id: id } = (await created.json()) as { experiment_id: string };
    const get = `/api/2.0/mlflow/experiments/get?experiment_id=${id}`;
    for (const r of replicas.slice(1)) {
      expect((await call(r, get, { token: tokens.bob! })).status).toBe(403);
      expect((await call(r, get, { token: tokens.bob! })).status).toBe(403); // the empty grant list is cached
    }
    const grant = { resource_type: 'experiment', resource_id: id, principal_type: 'user', principal: 'bob' };
    expect((await call(replicas[0]!, '/_gateway/api/v1/grants', { token: tokens.admin!, method: 'PUT', body: { ...grant, level: 'READ' } })).status).toBe(200);
    for (const ms of await Promise.all(replicas.slice(1).map((r) => untilStatus(r, get, 200, { token: tokens.bob! })))) expect(ms).toBeLessThanOrEqual(BOUND_MS);
    const q = new URLSearchParams(grant).toString();
    expect((await call(replicas[1]!, `/_gateway/api/v1/grants?${q}`, { token: tokens.admin!, method: 'DELETE' })).status).toBeLessThan(300);
    for (const r of [replicas[0]!, replicas[2]!]) expect(await untilStatus(r, get, 403, { token: tokens.bob! })).toBeLessThanOrEqual(BOUND_MS);
  });

  it('a user disabled on one replica is refused by the others within 1 s, and let back in when enabled', async () => {
    const me = '/api/2.0/mlflow/experiments/search?max_results=1';
    for (const r of replicas) expect((await call(r, me, { token: tokens.bob! })).status).toBe(200);
    expect((await call(replicas[2]!, '/_gateway/api/v1/users/bob/disable', { token: tokens.admin!, method: 'POST' })).status).toBe(200);
    for (const ms of await Promise.all(replicas.slice(0, 2).map((r) => untilStatus(r, me, 403, { token: tokens.bob! })))) expect(ms).toBeLessThanOrEqual(BOUND_MS);
    expect((await call(replicas[0]!, '/_gateway/api/v1/users/bob/enable', { token: tokens.admin!, method: 'POST' })).status).toBe(200);
    for (const ms of await Promise.all(replicas.slice(1).map((r) => untilStatus(r, me, 200, { token: tokens.bob! })))) expect(ms).toBeLessThanOrEqual(BOUND_MS);
  });
});
