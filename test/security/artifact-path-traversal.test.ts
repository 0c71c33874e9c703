import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';
import { callerFor, unique, type ApiCaller } from '../support/mlflow-api.js';
import { mlflow } from '../support/filtered-fixtures.js';

// The artifact proxy is authorized on the experiment named by the path's first segment. A path
// that starts with bob's experiment and climbs out of it (`E/../H/...`, also percent-encoded) must
// not list H's artifacts: it is answered with MLflow's own refusal ("Invalid path", which MLflow
// gives everyone for such a path), by the gateway, without the request reaching MLflow.

let stack: Stack;
let bob: ApiCaller;
let expE: string;
let expH: string;

beforeAll(async () => {
  stack = await startStack();
  bob = await callerFor(stack, 'bob');
  expE = (await bob.post('experiments/create', { name: unique('trav-bob') })).json.experiment_id as string;
  expH = (await mlflow<{ experiment_id: string }>('POST', '/api/2.0/mlflow/experiments/create', { name: unique('trav-hidden') })).experiment_id;
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

describe('artifact-proxy paths that climb out of the named experiment', () => {
  const list = (path: string) => bob.raw('GET', `/api/2.0/mlflow-artifacts/artifacts?${new URLSearchParams({ path })}`);

  it('listing another experiment through `<mine>/../<theirs>` (plain or percent-encoded) gets MLflow\'s "Invalid path", not the listing', async () => {
    for (const path of [`${expE}/../${expH}`, `${expE}/%2e%2e/${expH}`, `${expE}/%252e%252e/${expH}`, `${expE}/../`, `/${expH}`, `${expE}/a#b`]) {
      const r = await list(path);
      expect(r.status, `${path}: ${JSON.stringify(r.json)}`).toBe(400);
      expect(r.json, path).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
      expect(r.json.files, path).toBeUndefined();
    }
  });

  it('the experiment of the first segment, without traversal, is still listed for its reader', async () => {
    const r = await list(String(expE));
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    expect(r.json.gateway_code).toBeUndefined();
  });

  it('a path naming no experiment stays administrators only (not MLflow\'s answer)', async () => {
    const r = await list('not-an-experiment/x');
    expect(r.status, JSON.stringify(r.json)).toBe(403);
    expect(r.json.gateway_code).toBe('GW_DENIED');
  });
});
