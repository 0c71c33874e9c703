// Every id the route table calls required (not `optional`, not in the path) is required by MLflow
// too: sent without it (and without any other field), MLflow refuses the request. This is what
// makes it safe for the gateway to let MLflow answer a request that lacks such an id (MLflow's own
// validation message and code reach the client, src/mlflow/ids.ts `deferToMlflow`): if MLflow ever
// accepted one of these requests without the id — acting on everything, as an unscoped search
// does — this test fails and the route must become optional and narrowed (issue #14, cause 2).
import { describe, expect, inject, it } from 'vitest';
import { ROUTES } from '../src/mlflow/routes.js';
import type { RouteSpec } from '../src/mlflow/types.js';

function requiredNonPathIds(r: RouteSpec): string[] {
  const req = r.requirement.kind === 'blocked' ? r.requirement.ifEnabled : r.requirement;
  if (req.kind !== 'resource' && req.kind !== 'filtered' && req.kind !== 'create') return [];
  return (req.ids ?? []).filter((i) => !i.optional && i.default === undefined && i.from !== 'path').map((i) => i.field);
}

// Routes with path parameters always name their path id; the rest are probed with nothing at all.
const probed = ROUTES.filter((r) => !r.path.includes('{') && requiredNonPathIds(r).length > 0);

describe('ids the route table calls required are required by MLflow', () => {
  it('probes a meaningful share of the table', () => {
    expect(probed.length).toBeGreaterThan(150);
  });

  it('MLflow refuses every such request that names none of them', async () => {
    const accepted: string[] = [];
    for (const r of probed) {
      const init: RequestInit = { method: r.method, headers: { 'content-type': 'application/json' } };
      if (r.method !== 'GET') init.body = '{}';
      const res = await fetch(`${inject('mlflowUrl')}${r.path}`, init);
      await res.arrayBuffer();
      if (res.status < 400) accepted.push(`${r.method} ${r.path} (${requiredNonPathIds(r).join(', ')}) → ${res.status}`);
    }
    expect(accepted).toEqual([]);
  });

  it('SearchTracesV3 without locations is refused by MLflow (the gateway lets MLflow answer it)', async () => {
    const res = await fetch(`${inject('mlflowUrl')}/api/3.0/mlflow/traces/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error_code: string }).error_code).toBe('INVALID_PARAMETER_VALUE');
  });
});
