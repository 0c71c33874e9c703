// The compatibility suite: one MLflow version per describe block (its own server and its own
// Python client, from scripts/mlflow-venvs.sh), a gateway in front, and the same journey as alice
// (ordinary user, default settings, her own experiment) and as an administrator. Every read is made
// through the gateway and directly against MLflow; the answers must be the same (for alice: the
// same as MLflow's answer restricted to what she owns — and nothing of anyone else's).
//
// Versions: MLFLOW_COMPAT_VERSIONS=2.9.2,3.0.1 or "all" (npm run test:compat); default the pinned one.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PINNED_MLFLOW, TESTED_MLFLOW } from '../../src/compat/capabilities.js';
import { startMlflow, type MlflowServer } from '../../src/devtools/mlflow.js';
import { startStack, type Stack } from '../support/stack.js';
import { checkMlflowUi, chromiumAvailable } from './ui.js';
import { describeMismatch } from '../differential/compare.js';
import { differentialAgainst } from '../differential/versioned.js';
import { embeddedVersions } from './embedded-versions.js';
import { searchByGets } from './search-by-gets.js';

const here = dirname(fileURLToPath(import.meta.url));
const requested = (process.env.MLFLOW_COMPAT_VERSIONS ?? PINNED_MLFLOW).trim();
const VERSIONS: readonly string[] = requested === 'all' ? TESTED_MLFLOW : requested.split(',').map((v) => v.trim()).filter(Boolean);

interface Step {
  step: string;
  gw?: unknown;
  direct?: unknown;
  skipped?: string;
  error?: string;
}

interface Line {
  step: string;
  value?: unknown;
  skipped?: string;
  error?: string;
}

function runJourney(venv: string, env: Record<string, string>): Promise<{ code: number; lines: Line[]; state: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(venv, 'bin/python'), [join(here, 'journey.py')], {
      env: {
        PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0',
        MLFLOW_ENABLE_TELEMETRY: 'false', DO_NOT_TRACK: 'true', PYTHONWARNINGS: 'ignore', ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('exit', (c) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').filter((l) => l.startsWith('STEP ')).map((l) => JSON.parse(l.slice(5)) as Line);
      const state = stdout.split('\n').find((l) => l.startsWith('STATE '))?.slice(6) ?? '{}';
      resolve({ code: c ?? -1, lines, state, stderr: stderr.slice(-3000) });
    });
  });
}

/**
 * The journey through the gateway (writes and reads), then the same reads directly against MLflow
 * in a second process (the client caches artifact repositories per URL), paired step by step.
 */
async function journey(venv: string, gatewayUrl: string, directUrl: string, prefix: string, token: string): Promise<{ code: number; steps: Step[]; stderr: string }> {
  const gw = await runJourney(venv, { MODE: 'gateway', URL: gatewayUrl, PREFIX: prefix, MLFLOW_TRACKING_TOKEN: token });
  const direct = await runJourney(venv, { MODE: 'direct', URL: directUrl, PREFIX: prefix, STATE: gw.state });
  const byStep = new Map(direct.lines.map((l) => [l.step, l]));
  const steps = gw.lines.map((l): Step => {
    if (l.skipped !== undefined) return { step: l.step, skipped: l.skipped };
    if (l.error !== undefined) return { step: l.step, error: l.error };
    const d = byStep.get(l.step);
    // A write step is made once (through the gateway): it is compared with itself.
    if (d === undefined) return { step: l.step, gw: l.value, direct: l.value };
    if (d.error !== undefined) return { step: l.step, error: `direct: ${d.error}` };
    return { step: l.step, gw: l.value, direct: d.value };
  });
  return { code: gw.code === 0 ? direct.code : gw.code, steps, stderr: `${gw.stderr}\n--- direct ---\n${direct.stderr}` };
}

/** The steps whose direct answer lists everyone's objects (the others read alice's own objects). */
const SEARCHES = new Set(['search_experiments', 'search_experiments_filtered', 'search_registered_models', 'search_model_versions']);

/** For alice: keep only what she owns (names and ids carry her prefix) from a direct answer. */
function restrict(value: unknown, prefix: string): unknown {
  if (!Array.isArray(value)) return value;
  return value.filter((v) => {
    const s = Array.isArray(v) ? String(v[0]) : String(v);
    return s.startsWith(prefix);
  });
}

/** "same as direct", or what differs. */
function verdict(steps: Step[], prefix: string | undefined): { passed: number; total: number; problems: string[] } {
  const problems: string[] = [];
  let passed = 0;
  let total = 0;
  for (const s of steps) {
    if (s.skipped) continue;
    total++;
    if (s.error) {
      problems.push(`${s.step}: ${s.error}`);
      continue;
    }
    const direct = prefix && SEARCHES.has(s.step) ? restrict(s.direct, prefix) : s.direct;
    if (JSON.stringify(s.gw) !== JSON.stringify(direct)) problems.push(`${s.step}: gateway ${JSON.stringify(s.gw)} ≠ direct ${JSON.stringify(direct)}`);
    else passed++;
  }
  return { passed, total, problems };
}

const matrix: string[] = [];

describe.each(VERSIONS)('MLflow %s behind the gateway', (mlflowVersion) => {
  let mlflow: MlflowServer;
  let stack: Stack;
  let adminPrefix = '';
  /** What each user's journey created, for the UI checks. */
  const created: Record<string, { experimentName: string; experimentId: string; modelName: string }> = {};
  beforeAll(async () => {
    mlflow = await startMlflow({ version: mlflowVersion, workers: 2, env: { MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' } });
    stack = await startStack({ upstreamUrl: mlflow.url });
  }, 20 * 60_000);
  afterAll(async () => {
    await stack?.stop();
    await mlflow?.stop();
    if (matrix.length > 0) process.stdout.write(`\nCompatibility matrix so far:\n${matrix.join('\n')}\n`);
  });

  it('detects the version and reports it in readyz', async () => {
    const body = (await (await fetch(`${stack.gatewayUrl}/_gateway/readyz`)).json()) as { mlflow: { version: string; detected: boolean; supported: boolean } };
    expect(body.mlflow).toEqual({ version: mlflowVersion, detected: true, supported: true });
  });

  it('admin: the client journey answers the same as MLflow directly', async () => {
    adminPrefix = `cmp-admin-${mlflowVersion.replace(/\./g, '')}-${Date.now()}`;
    const { access_token } = await stack.idp.getTokens('admin');
    const r = await journey(mlflow.venv, stack.gatewayUrl, mlflow.url, adminPrefix, access_token);
    const v = verdict(r.steps, undefined);
    remember('admin', adminPrefix, r.steps);
    matrix.push(`${mlflowVersion} admin client: ${v.passed}/${v.total}${v.problems.length ? ' — ' + v.problems.join('; ') : ' same as direct'}`);
    expect(r.steps.length, r.stderr).toBeGreaterThan(10);
    expect(v.problems).toEqual([]);
    expect(r.code, r.stderr).toBe(0);
  }, 300_000);

  it('alice: the client journey answers the same as MLflow directly, restricted to what she owns', async () => {
    const prefix = `cmp-alice-${mlflowVersion.replace(/\./g, '')}-${Date.now()}`;
    const { access_token } = await stack.idp.getTokens('alice');
    const r = await journey(mlflow.venv, stack.gatewayUrl, mlflow.url, prefix, access_token);
    const v = verdict(r.steps, prefix);
    remember('alice', prefix, r.steps);
    matrix.push(`${mlflowVersion} alice client: ${v.passed}/${v.total}${v.problems.length ? ' — ' + v.problems.join('; ') : ' same as direct'}`);
    expect(r.steps.length, r.stderr).toBeGreaterThan(10);
    expect(v.problems).toEqual([]);
    expect(r.code, r.stderr).toBe(0);
    // Nothing of the administrator's (created in the previous test) reaches alice.
    expect(JSON.stringify(r.steps.map((s) => s.gw))).not.toContain(adminPrefix || 'cmp-admin-');
  }, 300_000);

  function remember(user: string, prefix: string, steps: Step[]): void {
    const id = steps.find((s) => s.step === 'set_experiment')?.gw;
    if (typeof id === 'string') created[user] = { experimentName: `${prefix}-exp`, experimentId: id, modelName: `${prefix}-model` };
  }

  // The differential session with this version's client (test/differential/versioned.ts); the pinned
  // version's runs in the normal suite (test/differential/differential.test.ts).
  it.skipIf(mlflowVersion === PINNED_MLFLOW)('differential: every answer through the gateway is MLflow\'s own, except the intended differences', async () => {
    const results = await differentialAgainst(mlflow.url, mlflow.venv, mlflowVersion);
    const problems: string[] = [];
    for (const [mode, r] of results) {
      const count = (o: Readonly<Record<string, readonly string[]>>) => Object.values(o).reduce((n, v) => n + v.length, 0);
      matrix.push(`${mlflowVersion} ${mode} differential: ${r.compared} operations, ${r.notServed.length} not served by this version, ${count(r.intended)} intended, ${count(r.pending)} pending, ${r.mismatches.length} mismatches`);
      if (mode === 'admin') matrix.push(`  not served by ${mlflowVersion}: ${r.notServed.join(', ')}`);
      for (const [owner, ops] of Object.entries(r.pending)) matrix.push(`  pending (${mode}): ${ops.join(', ')} — ${owner}`);
      problems.push(...r.mismatches.map((m) => `${mode}: ${describeMismatch(m)}`));
    }
    expect(problems).toEqual([]);
  }, 600_000);

  for (const user of ['alice', 'admin'] as const) {
    it.runIf(chromiumAvailable)(`${user}: MLflow's UI home, experiment and models pages work in Chromium`, async () => {
      const mine = created[user];
      expect(mine, `the ${user} client journey created nothing to look at`).toBeDefined();
      const report = await checkMlflowUi(stack, user, mine!, `${mlflowVersion}-${user}`);
      matrix.push(`${mlflowVersion} ${user} UI: ${report.problems.length ? report.problems.join('; ') : 'works'}`);
      expect(report.problems).toEqual([]);
    }, 300_000);
  }

  // After the journeys: these add a registered model and experiments the searches above would list.
  embeddedVersions(mlflowVersion, () => mlflow);
  searchByGets(mlflowVersion, () => mlflow);
});
