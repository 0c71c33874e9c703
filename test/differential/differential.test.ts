import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { unique } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';
import { compare, describeMismatch, type Comparison, type Mode } from './compare.js';
import { runDriver, type DriverRecord } from './run.js';
import { hideFromAlice } from './versioned.js';

// MLflow's own client, the same scripted session (scenarios.py) run directly against MLflow and
// through the gateway, answers compared operation by operation (status, error_code, message,
// body; ids and timestamps normalised). Two gateway modes: an administrator, and an ordinary
// user with GATEWAY_DEFAULT_PERMISSION=MANAGE plus a NO_PERMISSIONS grant elsewhere (an experiment,
// and a run in it), so that the filtering code (searches, lists, GraphQL, child grants) is on the path. The only accepted differences are
// compare.ts's intended ones.

describe('differential: MLflow directly vs through the gateway', () => {
  let admin: Stack;
  let user: Stack;
  let direct: DriverRecord[];
  const results = new Map<Mode, Comparison>();
  const venv = inject('mlflowVenv');

  beforeAll(async () => {
    [admin, user] = await Promise.all([startStack(), startStack({ env: { GATEWAY_DEFAULT_PERMISSION: 'MANAGE' } })]);
    await hideFromAlice(user, inject('mlflowUrl'));

    const [adminToken, aliceToken] = await Promise.all([admin.idp.getTokens('admin'), user.idp.getTokens('alice')]);
    // DIFF_ONLY=prompts,registry runs only those operations (debugging; the session test then fails).
    const only = process.env.DIFF_ONLY ? { only: process.env.DIFF_ONLY.split(',') } : {};
    const records = await Promise.all([
      runDriver({ url: inject('mlflowUrl'), prefix: unique('dd') }, { venv, ...only }),
      runDriver({ url: admin.gatewayUrl, token: adminToken.access_token, prefix: unique('da') }, { venv, ...only }),
      runDriver({ url: user.gatewayUrl, token: aliceToken.access_token, prefix: unique('du') }, { venv, ...only }),
    ]);
    direct = records[0];
    results.set('admin', compare('admin', direct, records[1]));
    results.set('user', compare('user', direct, records[2]));
    if (process.env.DIFF_REPORT) writeFileSync(process.env.DIFF_REPORT, JSON.stringify(Object.fromEntries(results), null, 1));
  }, 420_000);
  afterAll(async () => {
    await Promise.all([admin?.stop(), user?.stop()]);
  });

  it('the session covers every area the client talks to', () => {
    const areas = new Set(direct.map((r) => r.op.split('.')[0]));
    for (const a of ['experiments', 'runs', 'metrics', 'artifacts', 'inputs', 'datasets', 'logged_models', 'traces', 'assessments', 'issues', 'scorers', 'jobs', 'registry', 'prompts', 'webhooks', 'gateway', 'graphql']) {
      expect(areas, a).toContain(a);
    }
    expect(direct.length).toBeGreaterThan(200);
  });

  for (const mode of ['admin', 'user'] as const) {
    it(`${mode}: every answer through the gateway is MLflow's own, except the intended differences`, () => {
      const r = results.get(mode)!;
      const count = (o: Readonly<Record<string, readonly string[]>>) => JSON.stringify(Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.length])));
      const summary = `${mode}: ${r.compared} operations, ${r.mismatches.length} mismatches; intended: ${count(r.intended)}; pending elsewhere: ${count(r.pending)}`;
      console.log(summary);
      expect(r.mismatches.map(describeMismatch), summary).toEqual([]);
    });
  }
});
