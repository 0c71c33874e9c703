import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMlflow, type MlflowServer } from '../../src/devtools/mlflow.js';
import { startStack, type Stack } from '../support/stack.js';
import { callerFor, grant, type Caller } from '../support/filtered-fixtures.js';

// MLflow's workspaces need `--enable-workspaces`, so this file runs its own MLflow server.

let mlflow: MlflowServer;
let stack: Stack;
let admin: Caller;
let bob: Caller;

async function direct<T = Record<string, any>>(method: string, path: string, body?: unknown, workspace?: string): Promise<T> {
  const res = await fetch(`${mlflow.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(workspace ? { 'x-mlflow-workspace': workspace } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

beforeAll(async () => {
  mlflow = await startMlflow({ args: ['--enable-workspaces'] });
  stack = await startStack({ upstreamUrl: mlflow.url });
  [admin, bob] = await Promise.all([callerFor(stack, 'admin'), callerFor(stack, 'bob')]);
  for (const name of ['ws-a', 'ws-b']) await direct('POST', '/api/3.0/mlflow/workspaces', { name });
  await grant(stack, bob.userId, 'workspace', ['ws-a']);
});
afterAll(async () => {
  await stack?.stop();
  await mlflow?.stop();
});

describe('list_workspaces', () => {
  it('bob sees the workspaces he may read; an administrator sees all', async () => {
    const mine = await bob.call('GET', '/api/3.0/mlflow/workspaces');
    expect(mine.status).toBe(200);
    expect((mine.json.workspaces as any[]).map((w) => w.name)).toEqual(['ws-a']);
    const all = await admin.call('GET', '/ajax-api/3.0/mlflow/workspaces');
    expect((all.json.workspaces as any[]).map((w) => w.name).sort()).toEqual(['default', 'ws-a', 'ws-b']);
  });
});

describe('the gateway asks MLflow in the caller workspace', () => {
  it('experiments/search with X-MLFLOW-WORKSPACE lists that workspace', async () => {
    const inA = await direct<{ experiment_id: string }>('POST', '/api/2.0/mlflow/experiments/create', { name: 'only-in-a' }, 'ws-a');
    await direct('POST', '/api/2.0/mlflow/experiments/create', { name: 'only-in-b' }, 'ws-b');
    await grant(stack, bob.userId, 'experiment', [inA.experiment_id]);
    const body = { max_results: 50 };
    const inWsA = await bob.call('POST', '/api/2.0/mlflow/experiments/search', body, { 'x-mlflow-workspace': 'ws-a' });
    expect(inWsA.status).toBe(200);
    expect((inWsA.json.experiments as any[]).map((e) => e.name)).toEqual(['only-in-a']);
    const inDefault = await bob.call('POST', '/api/2.0/mlflow/experiments/search', body);
    expect(inDefault.json).toEqual({});
  });
});
