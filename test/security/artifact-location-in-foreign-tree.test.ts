import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';
import { callerFor, unique, type ApiCaller, type ApiResult } from '../support/mlflow-api.js';
import { mlflow } from '../support/filtered-fixtures.js';

// Issue #13 §1: experiments/create with an artifact_location inside another experiment's artifact
// tree makes every run of the new experiment write into (and list from) that tree. bob owns
// experiment E; experiment H is not his.

let stack: Stack;
let bob: ApiCaller;
let expE: string;
let expH: string;

function denied(r: ApiResult): void {
  expect(r.status, JSON.stringify(r.json)).toBe(403);
  expect(r.json.gateway_code).toBe('GW_DENIED');
}
const create = (artifact_location: string) => bob.post('experiments/create', { name: unique('loc'), artifact_location });

beforeAll(async () => {
  stack = await startStack();
  bob = await callerFor(stack, 'bob');
  expE = (await bob.post('experiments/create', { name: unique('loc-bob') })).json.experiment_id as string;
  expH = (await mlflow<{ experiment_id: string }>('POST', '/api/2.0/mlflow/experiments/create', { name: unique('loc-hidden') })).experiment_id;
});
afterAll(async () => stack?.stop());

describe('experiments/create: artifact_location in a foreign tree is refused', () => {
  it.each([
    ['mlflow-artifacts:/<other id>', () => `mlflow-artifacts:/${expH}`],
    ['mlflow-artifacts:/<other id>/sub/', () => `mlflow-artifacts:/${expH}/sub/`],
    ['mlflow-artifacts://host/<other id>', () => `mlflow-artifacts://127.0.0.1:5000/${expH}`],
    ['leading zeros', () => `mlflow-artifacts:/00${expH}`],
    ['percent-encoded id', () => `mlflow-artifacts:/${[...expH].map((c) => `%3${c}`).join('')}`],
    ['double slashes', () => `mlflow-artifacts://${''}/${expH}//x`],
    ['the artifact root itself', () => 'mlflow-artifacts:/'],
    ['traversal out of a fresh directory', () => `mlflow-artifacts:/scratch/../${expH}`],
  ])('%s', async (_what, loc) => {
    denied(await create(loc()));
  });

  it('the artifactLocation spelling is read too', async () => {
    denied(await bob.post('experiments/create', { name: unique('loc'), artifactLocation: `mlflow-artifacts:/${expH}` }));
  });
});

describe('locations the caller may use', () => {
  it('inside one\'s own experiment tree, or a fresh directory', async () => {
    for (const loc of [`mlflow-artifacts:/${expE}/nested`, `mlflow-artifacts:/${unique('scratch')}`]) {
      const r = await create(loc);
      expect(r.status, `${loc}: ${JSON.stringify(r.json)}`).toBe(200);
    }
  });
  it('the tree of an experiment id that does not exist yet is refused (the next experiment created would share it)', async () => {
    denied(await create('mlflow-artifacts:/987654321'));
  });
});
