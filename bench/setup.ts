import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../src/devtools/mlflow.js';
import type { Profile } from './profile.js';
import { createRestFixtures, type RestFixtures } from './lib/fixtures.js';
import { gatewayUrl, startGateway } from './lib/gateway.js';
import type { GatewayProcess } from './lib/gateway-process.js';
import { exec } from './lib/exec.js';
import { callOk } from './lib/http.js';
import { AUDIENCE, startBenchIdp, type BenchIdp } from './lib/idp.js';
import { log } from './lib/log.js';
import { startBenchMlflow, type BenchMlflow } from './lib/mlflow-server.js';
import { ensureMlflowVenv, ensurePeerVenv } from './lib/venvs.js';
import { startBasicAuthPeer, type BasicAuthPeer } from './peers/basic-auth.js';
import { startOidcAuthPeer, type OidcAuthPeer } from './peers/oidc-auth.js';

// Everything the scenarios share: the IdP, MLflow with its data (REST fixtures + many seeded
// experiments), the peers on the same backend store, and the main gateway with its grants.

const HERE = dirname(fileURLToPath(import.meta.url));

export const REST_USER = 'alice'; // non-administrator with grants on the REST fixtures
export const SEARCH_USER = 'carol'; // non-administrator who may read a few scattered experiments
export const ADMIN_USER = 'admin';

export interface Peers {
  readonly plain: BenchMlflow; // the peers' venv without auth: the peers' baseline
  readonly basicAuth: BasicAuthPeer;
  readonly oidcAuth: OidcAuthPeer;
}

export interface Setup {
  readonly workDir: string;
  readonly dataDir: string;
  readonly idp: BenchIdp;
  readonly mlflow: BenchMlflow;
  readonly mainGateway: GatewayProcess;
  readonly ports: { ceiling: number; artifacts: number; startup: number };
  readonly fixtures: RestFixtures;
  readonly seeded: { count: number; seconds: number; method: string; readableIds: string[] };
  readonly mlflowVenv: string;
  readonly peerVenv: string | undefined;
  readonly peers: Peers | undefined;
  /** Why the peers could not be run, when they could not. */
  readonly peerProblem: string | undefined;
  /** MLflow basic-auth: a call's latency with its password check uncached vs cached (ms). */
  readonly basicAuthCredentialCheck: { uncachedMs: number; cachedMs: number } | undefined;
  stop(): Promise<void>;
}

export async function setUp(profile: Profile, opts: { keep: boolean; peers: boolean }): Promise<Setup> {
  const workDir = mkdtempSync(join(tmpdir(), 'mlflow-gateway-bench-'));
  const dataDir = join(workDir, 'mlflow');
  mkdirSync(dataDir);
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    if (!opts.keep) rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const mlflowVenv = ensureMlflowVenv();
    let peerVenv: string | undefined;
    let peerProblem: string | undefined;
    if (opts.peers) {
      try {
        peerVenv = ensurePeerVenv();
      } catch (err) {
        peerProblem = (err as Error).message;
      }
    } else peerProblem = 'peers skipped (--no-peers)';

    const ports = { main: await freePort(), ceiling: await freePort(), artifacts: await freePort(), startup: await freePort(), peer: await freePort() };
    const idp = await startBenchIdp({
      gatewayUrls: [ports.main, ports.ceiling, ports.artifacts, ports.startup].map(gatewayUrl),
      peerUrls: [`http://127.0.0.1:${ports.peer}`],
    });
    stops.push(() => idp.stop());

    // The seeding script creates MLflow's store (migrations, WAL) before any server opens it.
    log(`setup: seeding ${profile.search.experiments} experiments`);
    const seed = await seedExperiments(mlflowVenv, dataDir, profile.search.experiments);
    log(`setup: seeded ${seed.ids.length} experiments in ${seed.seconds.toFixed(1)} s (${seed.method})`);
    log('setup: starting MLflow');
    const mlflow = await startBenchMlflow({ name: 'mlflow', venv: mlflowVenv, dataDir, logFile: join(workDir, 'mlflow.log') });
    stops.push(() => mlflow.stop());
    log('setup: creating the REST fixtures');
    const fixtures = await createRestFixtures(mlflow.url, 'bench');
    const n = seed.ids.length;
    const readableIds = Array.from({ length: profile.search.readable }, (_, i) => seed.ids[Math.floor(((i + 0.5) * n) / profile.search.readable)]!);

    log('setup: starting the gateway and the peers');
    const [mainGateway, peers] = await Promise.all([
      startGateway({ port: ports.main, upstreamUrl: mlflow.url, issuer: idp.issuer, workDir, name: 'main' }),
      peerVenv
        ? startPeers(peerVenv, dataDir, workDir, ports.peer, idp.issuer).catch((err: unknown) => {
            peerProblem = `the peers did not start: ${(err as Error).message}`;
            return undefined;
          })
        : Promise.resolve(undefined),
    ]);
    stops.push(() => mainGateway.stop());
    if (peers) stops.push(() => peers.plain.stop(), () => peers.basicAuth.server.stop(), () => peers.oidcAuth.server.stop());

    log('setup: users and grants');
    // The gateway knows a user after its first call; then grants go to the user's id.
    for (const user of [REST_USER, SEARCH_USER]) {
      await callOk('GET', `${mainGateway.url}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: `Bearer ${await idp.accessToken(user)}` } });
    }
    await mainGateway.grant(REST_USER, 'experiment', fixtures.experimentId, 'EDIT');
    await mainGateway.grant(REST_USER, 'registered_model', fixtures.modelName, 'READ');
    for (const id of readableIds) await mainGateway.grant(SEARCH_USER, 'experiment', id, 'READ');
    let basicAuthCredentialCheck: Setup['basicAuthCredentialCheck'];
    if (peers) {
      try {
        await grantPeers(peers, idp, fixtures, readableIds);
        basicAuthCredentialCheck = await peers.basicAuth.measureCredentialCheck(5);
      } catch (err) {
        const cause = (err as { cause?: Error }).cause;
        peerProblem = `granting on the peers failed: ${(err as Error).message}${cause ? ` (${cause.message})` : ''}`;
      }
    }
    return {
      workDir, dataDir, idp, mlflow, mainGateway, fixtures, mlflowVenv, peerVenv,
      ports: { ceiling: ports.ceiling, artifacts: ports.artifacts, startup: ports.startup },
      seeded: { count: n, seconds: seed.seconds, method: seed.method, readableIds },
      peers: peerProblem ? undefined : peers, peerProblem, basicAuthCredentialCheck, stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startPeers(venv: string, dataDir: string, workDir: string, port: number, issuer: string): Promise<Peers> {
  const [plain, basicAuth, oidcAuth] = await Promise.all([
    startBenchMlflow({ name: 'mlflow (peers venv)', venv, dataDir, logFile: join(workDir, 'mlflow-peers-plain.log') }),
    startBasicAuthPeer({ venv, dataDir, workDir }),
    startOidcAuthPeer({ venv, dataDir, workDir, port, issuer, audience: AUDIENCE }),
  ]);
  return { plain, basicAuth, oidcAuth };
}

async function grantPeers(peers: Peers, idp: BenchIdp, f: RestFixtures, readableIds: readonly string[]): Promise<void> {
  const ba = peers.basicAuth;
  await ba.createUser(REST_USER);
  await ba.createUser(SEARCH_USER);
  await ba.grantExperiment(REST_USER, f.experimentId, 'EDIT');
  await ba.grantModel(REST_USER, f.modelName, 'READ');
  for (const id of readableIds) await ba.grantExperiment(SEARCH_USER, id, 'READ');

  // mlflow-oidc-auth caches decisions (denials too), so grants are written before any check.
  const oa = peers.oidcAuth;
  const restToken = await idp.accessToken(REST_USER);
  const searchToken = await idp.accessToken(SEARCH_USER);
  await oa.provision(restToken);
  await oa.provision(searchToken);
  const rest = oa.usernameOf(restToken);
  const search = oa.usernameOf(searchToken);
  await oa.grant([
    { username: rest, experiment_id: f.experimentId, permission: 'EDIT' },
    { username: rest, model: f.modelName, permission: 'READ' },
    ...readableIds.map((id) => ({ username: search, experiment_id: id, permission: 'READ' })),
  ]);
}

async function seedExperiments(venv: string, dataDir: string, count: number): Promise<{ ids: string[]; seconds: number; method: string }> {
  const r = await exec(join(venv, 'bin/python'), [join(HERE, 'lib/seed_experiments.py'), `sqlite:///${join(dataDir, 'mlflow.db')}`, String(count), 'bench-seed', '500']);
  if (r.code !== 0) throw new Error(`seeding failed: ${r.stderr.slice(-2000)}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ids: string[]; seconds: number };
  return { ...out, method: 'MLflow Python tracking store (SqlAlchemyStore), one transaction per 500 experiments' };
}
