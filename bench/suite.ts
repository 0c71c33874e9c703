import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { Profile } from './profile.js';
import { evaluateGoals } from './report/goals.js';
import type { Results, TargetInfo } from './report/types.js';
import { CREDENTIALS, type GatewayContext } from './lib/credentials.js';
import { summarizeCpuProfile } from './lib/cpuprofile.js';
import { startBareProxy } from './lib/bare-proxy.js';
import { startFakeUpstream } from './lib/fake-upstream.js';
import { startGateway } from './lib/gateway.js';
import type { GatewayProcess } from './lib/gateway-process.js';
import { call, callOk } from './lib/http.js';
import { log } from './lib/log.js';
import { cpuModel } from './lib/procfs.js';
import { createSettle, type Watched } from './lib/settle.js';
import type { MissingTarget, Target } from './lib/targets.js';
import { venvVersions } from './lib/venvs.js';
import { ensureWrk, failures, runLoad } from './lib/wrk.js';
import { runArtifacts } from './scenarios/artifacts.js';
import { runCeiling } from './scenarios/ceiling.js';
import { runChildGrants } from './scenarios/child-grants.js';
import { runFilteredSearch, type SearchTarget } from './scenarios/filtered-search.js';
import { restEndpoints, withHeaders, type Endpoint } from './scenarios/rest-endpoints.js';
import { runPythonClient } from './scenarios/python-client.js';
import { runRestLatency } from './scenarios/rest-latency.js';
import { runStartup } from './scenarios/startup.js';
import { ADMIN_USER, REST_USER, SEARCH_USER, setUp, type Setup } from './setup.js';

// Runs the scenarios in order against one shared setup and gathers everything the report needs.

export const SCENARIOS = ['startup', 'rest', 'client', 'search', 'children', 'ceiling', 'artifacts'] as const;
const ROOT = resolve(import.meta.dirname, '..');

export async function runAll(profile: Profile, opts: { keep: boolean; peers: boolean; only: string[] | undefined }): Promise<Results> {
  const scenarios = SCENARIOS.filter((s) => !opts.only || opts.only.includes(s));
  const startedAt = new Date();
  const loadStart = loadavg();
  ensureWrk();
  // The gateway children run the bundle (lib/gateway-child.ts): build it from this checkout.
  log('build: tsc -p tsconfig.build.json and scripts/bundle.mjs (the gateway under test runs dist/bundle/)');
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  execFileSync(process.execPath, [join(ROOT, 'scripts/bundle.mjs')], { cwd: ROOT, stdio: 'inherit' });
  const setup = await setUp(profile, opts);
  const mlflowVersions = await venvVersions(setup.mlflowVenv, 'mlflow');
  const peerVersions = setup.peerVenv ? await venvVersions(setup.peerVenv, 'mlflow-oidc-auth') : undefined;
  const targets: Record<string, TargetInfo> = {};
  const missing: MissingTarget[] = [];
  const note = (t: Target) => (targets[t.id] = { label: t.label, kind: t.kind, ...(t.baseline ? { baseline: t.baseline } : {}) });
  const results: Omit<Results, 'finishedAt' | 'durationSeconds' | 'goals'> = {
    profile: profile.name,
    scenarios: [...scenarios],
    startedAt: startedAt.toISOString(),
    machine: {
      cores: cpus().length,
      cpuModel: cpuModel(),
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      mlflow: mlflowVersions.package,
      mlflowPython: mlflowVersions.python,
      ...(peerVersions ? { peers: { mlflowOidcAuth: peerVersions.package, python: peerVersions.python } } : {}),
      loadAverage: { start: loadStart.map((x) => Math.round(x * 100) / 100), end: [] },
      commit: gitCommit(),
    },
    targets,
    missing,
    ...(setup.peerProblem ? { peerProblem: setup.peerProblem } : {}),
    ...(setup.basicAuthCredentialCheck ? { basicAuthCredentialCheck: setup.basicAuthCredentialCheck } : {}),
    seeding: { experiments: setup.seeded.count, seconds: setup.seeded.seconds, method: setup.seeded.method, readable: setup.seeded.readableIds.length },
  };
  const out = results as Results;
  try {
    const endpoints = restEndpoints(setup.fixtures, 'bench');

    if (scenarios.includes('startup')) {
      const startup = await runStartup(
        (i) => startGateway({ port: setup.ports.startup, upstreamUrl: setup.mlflow.url, issuer: setup.idp.issuer, workDir: setup.workDir, name: `startup-${i}` }),
        profile,
      );
      out.startup = startup;
    }

    if (scenarios.includes('rest')) {
      const list = await restTargets(setup, missing);
      list.forEach(note);
      log(`rest: ${list.map((t) => t.id).join(', ')}`);
      const rest = await runRestLatency(list, endpoints, profile, createSettle(() => serversOf(setup)));
      out.rest = { ...rest, endpoints: endpoints.map((e) => e.id), requests: { ...profile.rest.requests } };
    }

    if (scenarios.includes('client')) {
      const list = (await restTargets(setup, missing, { peers: false })).filter((t) => t.id === 'direct' || t.id === 'gw-jwt' || t.id === 'gw-token-bearer');
      out.client = await runPythonClient(join(setup.mlflowVenv, 'bin/python'), list, endpoints.filter((e) => e.id === 'experiments/get' || e.id === 'registered-models/get'), profile);
    }

    if (scenarios.includes('search')) {
      const list = await searchTargets(setup);
      for (const t of list) targets[`search:${t.id}`] = { label: t.label, kind: t.kind, ...(t.baseline ? { baseline: t.baseline } : {}) };
      const search = await runFilteredSearch(list, profile);
      out.search = { ...search, experiments: setup.seeded.count, readable: setup.seeded.readableIds.length };
    }

    if (scenarios.includes('children')) {
      // SEARCH_USER (no grant on the new experiment) gets run grants only: the gateway asks MLflow for
      // exactly those runs. After 'search', whose figures the run grants must not touch.
      const c = profile.children;
      log(`children: ${c.runs} runs in one experiment, ${c.granted} run grants`);
      out.children = await runChildGrants({
        mlflowUrl: setup.mlflow.url, gatewayUrl: setup.mainGateway.url,
        callerHeaders: { authorization: `Bearer ${await setup.idp.accessToken(SEARCH_USER)}` },
        grantRuns: async (ids) => {
          for (const id of ids) await setup.mainGateway.grant(SEARCH_USER, 'run', id, 'READ');
        },
        runs: c.runs, granted: c.granted, rounds: c.rounds,
      });
    }

    if (scenarios.includes('ceiling')) {
      const fake = await startFakeUpstream(await cannedAnswers(setup, endpoints), setup.workDir);
      try {
        const gateway = await startGateway({ port: setup.ports.ceiling, upstreamUrl: fake.url, issuer: setup.idp.issuer, workDir: setup.workDir, name: 'ceiling' });
        const bare = await startBareProxy(fake.url);
        try {
          const list = [
            ...(await ceilingTargets(setup, gateway, fake.url)),
            { id: 'bare-proxy', label: 'bare proxy (fastify + reply-from, no auth)', kind: 'bare-proxy', url: bare.url, headers: {}, cpuPid: bare.pid } satisfies Target,
          ];
          const ceiling = await runCeiling(list, endpoints, profile, createSettle(() => [{ pid: gateway.pid, group: false }, { pid: bare.pid, group: false }, { pid: fake.pid, group: false }]));
          out.ceiling = { ...ceiling, endpoints: endpoints.map((e) => e.id), requests: profile.ceiling.requests, connections: profile.ceiling.connections };
          for (const t of list) targets[`ceiling:${t.id}`] = { label: t.label, kind: t.kind };
        } finally {
          await bare.stop();
          await gateway.stop();
        }
        if (profile.cpuProfile) {
          out.cpuProfileC1 = await cpuProfileRun(setup, fake.url, endpoints, profile.cpuProfile.requests, 1);
          out.cpuProfile = await cpuProfileRun(setup, fake.url, endpoints, profile.cpuProfile.requests, 32);
        }
      } finally {
        await fake.stop();
      }
    }

    if (scenarios.includes('artifacts')) {
      const gateway = await startGateway({ port: setup.ports.artifacts, upstreamUrl: setup.mlflow.url, issuer: setup.idp.issuer, workDir: setup.workDir, name: 'artifacts' });
      try {
        const token = await setup.idp.accessToken(REST_USER);
        await callOk('GET', `${gateway.url}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: `Bearer ${token}` } });
        await gateway.grant(REST_USER, 'experiment', setup.fixtures.experimentId, 'EDIT');
        const direct: Target = { id: 'direct', label: 'MLflow (direct)', kind: 'direct', url: setup.mlflow.url, headers: {} };
        const via: Target = { id: 'gw-jwt', label: 'gateway · bearer JWT', kind: 'gateway', url: gateway.url, headers: { authorization: `Bearer ${token}` }, baseline: 'direct' };
        const f = setup.fixtures;
        out.artifacts = await runArtifacts(direct, via, gateway, (name) => `/api/2.0/mlflow-artifacts/artifacts/${f.experimentId}/${f.runId}/artifacts/${name}`, profile);
      } finally {
        await gateway.stop();
        rmSync(join(setup.dataDir, 'mlartifacts', setup.fixtures.experimentId), { recursive: true, force: true });
      }
    }

    if (out.startup) out.startup.mainGatewayAtEnd = setup.mainGateway.memory();
  } finally {
    await setup.stop();
  }
  const finishedAt = new Date();
  out.finishedAt = finishedAt.toISOString();
  out.durationSeconds = Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000);
  out.machine.loadAverage.end = loadavg().map((x) => Math.round(x * 100) / 100);
  out.goals = evaluateGoals(out);
  return out;
}

async function gatewayTargets(gw: GatewayContext, username: string, missing: MissingTarget[] | undefined): Promise<Target[]> {
  const list: Target[] = [];
  for (const cred of CREDENTIALS) {
    const id = `gw-${cred.id}`;
    const label = `gateway · ${cred.label}`;
    const h = await cred.headers(gw, username);
    if ('unavailable' in h) missing?.push({ id, label, kind: 'gateway', reason: h.unavailable });
    else list.push({ id, label, kind: 'gateway', url: gw.url, headers: h.headers, baseline: 'direct' });
  }
  return list;
}

async function restTargets(setup: Setup, missing: MissingTarget[], opts: { peers: boolean } = { peers: true }): Promise<Target[]> {
  const list: Target[] = [{ id: 'direct', label: 'MLflow (direct)', kind: 'direct', url: setup.mlflow.url, headers: {} }];
  list.push(...(await gatewayTargets({ url: setup.mainGateway.url, process: setup.mainGateway, idp: setup.idp }, REST_USER, opts.peers ? missing : undefined)));
  if (!opts.peers) return list;
  const peers = setup.peers;
  if (peers) {
    list.push(
      { id: 'direct-peers', label: 'MLflow (direct, peers venv)', kind: 'direct', url: peers.plain.url, headers: {} },
      { id: 'basic-auth', label: 'MLflow basic-auth · Basic', kind: 'peer', url: peers.basicAuth.server.url, headers: peers.basicAuth.headersFor(REST_USER), baseline: 'direct-peers' },
      { id: 'oidc-auth', label: 'mlflow-oidc-auth · bearer JWT', kind: 'peer', url: peers.oidcAuth.server.url, headers: { authorization: `Bearer ${await setup.idp.accessToken(REST_USER)}` }, baseline: 'direct-peers' },
    );
  } else {
    for (const [id, label] of [['basic-auth', 'MLflow basic-auth · Basic'], ['oidc-auth', 'mlflow-oidc-auth · bearer JWT']] as const) {
      missing.push({ id, label, kind: 'peer', reason: setup.peerProblem ?? 'not run' });
    }
  }
  return list;
}

async function searchTargets(setup: Setup): Promise<SearchTarget[]> {
  const all = setup.seeded.count + 2; // the seeded ones, MLflow's Default experiment and the REST fixture's
  const readable = setup.seeded.readableIds.length;
  const bearer = async (user: string) => ({ authorization: `Bearer ${await setup.idp.accessToken(user)}` });
  const list: SearchTarget[] = [
    { id: 'direct', label: 'MLflow (direct), unfiltered', kind: 'direct', url: setup.mlflow.url, headers: {}, expectedVisible: all },
    { id: 'gw-filtered', label: `gateway · bearer JWT, reads ${readable}`, kind: 'gateway', url: setup.mainGateway.url, headers: await bearer(SEARCH_USER), baseline: 'direct', expectedVisible: readable },
    { id: 'gw-admin', label: 'gateway · bearer JWT, administrator (unfiltered)', kind: 'gateway', url: setup.mainGateway.url, headers: await bearer(ADMIN_USER), baseline: 'direct', expectedVisible: all },
  ];
  const peers = setup.peers;
  if (peers) {
    list.push(
      { id: 'direct-peers', label: 'MLflow (direct, peers venv), unfiltered', kind: 'direct', url: peers.plain.url, headers: {}, expectedVisible: all },
      { id: 'basic-auth', label: `MLflow basic-auth · Basic, reads ${readable}`, kind: 'peer', url: peers.basicAuth.server.url, headers: peers.basicAuth.headersFor(SEARCH_USER), baseline: 'direct-peers', expectedVisible: readable },
      { id: 'oidc-auth', label: `mlflow-oidc-auth · bearer JWT, reads ${readable}`, kind: 'peer', url: peers.oidcAuth.server.url, headers: await bearer(SEARCH_USER), baseline: 'direct-peers', expectedVisible: readable },
    );
  }
  return list;
}

/** The fast upstream answers with the real MLflow's bytes for every call the benchmark (and the gateway's resolver) makes. */
async function cannedAnswers(setup: Setup, endpoints: readonly Endpoint[]): Promise<Record<string, string>> {
  const canned: Record<string, string> = {};
  const f = setup.fixtures;
  const record = async (method: string, pathAndQuery: string, body?: string) => {
    const r = await call(method, `${setup.mlflow.url}${pathAndQuery}`, body === undefined ? {} : { body });
    if (r.status !== 200) throw new Error(`recording ${method} ${pathAndQuery} failed: ${r.status} ${r.text.slice(0, 200)}`);
    canned[`${method} ${pathAndQuery.split('?')[0]}`] = r.text;
  };
  for (const e of endpoints) await record(e.request.method, e.request.path, e.request.body?.replaceAll('{{n}}', '0'));
  await record('GET', `/api/2.0/mlflow/runs/get?run_id=${f.runId}`);
  return canned;
}

async function ceilingTargets(setup: Setup, gateway: GatewayProcess, fakeUrl: string): Promise<Target[]> {
  const token = await setup.idp.accessToken(REST_USER);
  await callOk('GET', `${gateway.url}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
  await gateway.grant(REST_USER, 'experiment', setup.fixtures.experimentId, 'EDIT');
  await gateway.grant(REST_USER, 'registered_model', setup.fixtures.modelName, 'READ');
  return [
    { id: 'direct', label: 'fast upstream (direct)', kind: 'direct', url: fakeUrl, headers: {} },
    ...(await gatewayTargets({ url: gateway.url, process: gateway, idp: setup.idp }, REST_USER, undefined)).map((t) => ({ ...t, cpuPid: gateway.pid })),
  ];
}

/** A gateway with node --cpu-prof in front of the fast upstream, under the ceiling workload. */
async function cpuProfileRun(setup: Setup, fakeUrl: string, endpoints: readonly Endpoint[], requests: number, connections: number): Promise<Results['cpuProfile']> {
  log(`profile: gateway with --cpu-prof under the ceiling workload, ${connections} connection(s)`);
  const started = performance.now();
  const name = `profile-c${connections}`;
  const gateway = await startGateway({ port: setup.ports.ceiling, upstreamUrl: fakeUrl, issuer: setup.idp.issuer, workDir: setup.workDir, name, cpuProfile: true });
  const list = await ceilingTargets(setup, gateway, fakeUrl);
  const via = list.filter((t) => t.kind === 'gateway');
  const per = Math.max(100, Math.floor(requests / (via.length * endpoints.length)));
  // Warm-up (JIT, caches) first; the summary leaves out everything before the measured loads.
  for (const t of via) for (const e of endpoints) await runLoad(t.url, withHeaders(e.request, t.headers), { requests: 100, connections: 8, maxSeconds: 10 });
  const skipMs = performance.now() - started;
  let errors = 0;
  try {
    for (const t of via) {
      for (const e of endpoints) errors += failures(await runLoad(t.url, withHeaders(e.request, t.headers), { requests: per, connections, maxSeconds: 20 }));
    }
  } finally {
    await gateway.stop();
  }
  const summary = summarizeCpuProfile(join(setup.workDir, `cpu-prof-${name}`), ROOT, skipMs);
  if (errors > 0) log(`profile: ${errors} requests failed during the profiled run`);
  const load1 = loadavg()[0]!.toFixed(1);
  return summary && { ...summary, workload: `${per} requests × ${endpoints.length} endpoints × ${via.map((t) => t.label).join(', ')}, ${connections} connection(s), fast upstream, load average ${load1} at the end${errors ? ` (${errors} failed)` : ''}` };
}

function serversOf(setup: Setup): Watched[] {
  const list: Watched[] = [{ pid: setup.mlflow.pid, group: true }, { pid: setup.mainGateway.pid, group: false }];
  const p = setup.peers;
  if (p) list.push({ pid: p.plain.pid, group: true }, { pid: p.basicAuth.server.pid, group: true }, { pid: p.oidcAuth.server.pid, group: true });
  return list;
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
