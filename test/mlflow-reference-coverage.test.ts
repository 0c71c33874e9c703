// Every reference-shaped field of the pinned MLflow's request messages is classified (issue #13
// §1): for each RPC the route table lets non-administrators call, each field that
// scripts/mlflow-reference-fields.py lists (`*_id`, `*_ids`, `*_uri`, `source`, `artifact_location`,
// `name`…; for FastAPI routes their header, query and path parameters and request models) must be a primary id of the route's requirement, a reference (with its level) in the
// route's references column, or inert with a written reason (src/mlflow/reference-fields.ts).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { INERT_EVERYWHERE, INERT_FIELDS } from '../src/mlflow/reference-fields.js';
import { ROUTES } from '../src/mlflow/routes.js';
import type { RouteSpec } from '../src/mlflow/types.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(root, 'scripts/mlflow-reference-fields.py');

interface ShapedField {
  rpc: string;
  message: string;
  field: string;
}

let fields: ShapedField[] = [];

beforeAll(() => {
  const venv = execFileSync('bash', [join(root, 'scripts/mlflow-venv.sh')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const out = execFileSync(join(venv, 'bin/python'), [script], {
    cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, MLFLOW_ENABLE_TELEMETRY: 'false', DO_NOT_TRACK: 'true' }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  fields = JSON.parse(out) as ShapedField[];
}, 30 * 60_000);

/** The proto RPC a route entry serves (`'ListArtifacts (mlflow-artifacts)'` → ListArtifacts). */
const rpcOf = (r: RouteSpec): string | undefined => r.rpc?.split(/[\s(]/)[0];

/** Routes a non-administrator may call, by RPC (admin-only routes need no classification: nothing in them is checked for anyone). */
function callableByRpc(): Map<string, RouteSpec[]> {
  const out = new Map<string, RouteSpec[]>();
  for (const r of ROUTES) {
    const req = r.requirement.kind === 'blocked' ? r.requirement.ifEnabled : r.requirement;
    if (req.kind === 'admin') continue;
    const rpc = rpcOf(r);
    if (!rpc) continue;
    out.set(rpc, [...(out.get(rpc) ?? []), r]);
  }
  return out;
}

const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);

/** Whether a table entry serves the message a field belongs to. */
function servedBy(route: RouteSpec, f: ShapedField): boolean {
  // FastAPI rows name their route template; the table keeps the same template (trailing slash aside).
  if (f.message.startsWith('fastapi:')) return route.server === 'fastapi' && trimSlash(route.path) === trimSlash(f.message.slice('fastapi:'.length));
  // ListArtifacts names two messages: mlflow.ListArtifacts (runs) and mlflow.artifacts.ListArtifacts (the proxy).
  return route.path.includes('/mlflow-artifacts/') === f.message.startsWith('mlflow.artifacts.');
}

/** Field paths as the table writes them: snake_case, `[]` on arrays. */
const same = (a: string, b: string) => a.replace(/\[\]/g, '') === b.replace(/\[\]/g, '');

function classification(route: RouteSpec, field: string): string | undefined {
  const req = route.requirement.kind === 'blocked' ? route.requirement.ifEnabled : route.requirement;
  const ids = req.kind === 'resource' || req.kind === 'filtered' || req.kind === 'create' ? (req.ids ?? []) : [];
  for (const id of ids) if ([id.field, ...(id.aliases ?? [])].some((f) => same(f, field))) return `primary ${id.kind}`;
  for (const ref of route.references ?? []) if ([ref.field, ...(ref.aliases ?? [])].some((f) => same(f, field))) return `reference ${ref.kind} (${ref.action})`;
  const last = field.replace(/\[\]/g, '').split('.').pop() ?? field;
  const rpc = rpcOf(route) ?? '';
  const reason = INERT_FIELDS[rpc]?.[field] ?? INERT_FIELDS[rpc]?.[field.replace(/\[\]/g, '')] ?? INERT_EVERYWHERE[last];
  return reason === undefined ? undefined : `inert: ${reason}`;
}

describe('reference coverage (pinned MLflow request messages)', () => {
  it('the script finds the request messages and the FastAPI parameters', () => {
    expect(fields.length).toBeGreaterThan(100);
    expect(fields).toContainEqual(expect.objectContaining({ rpc: 'CreateModelVersion', field: 'source' }));
    expect(fields).toContainEqual(expect.objectContaining({ rpc: 'export_traces', field: 'x-mlflow-run-id' }));
  });

  it('every reference-shaped field of a route non-administrators may call is classified', () => {
    const byRpc = callableByRpc();
    const missing: string[] = [];
    for (const f of fields) {
      for (const route of (byRpc.get(f.rpc) ?? []).filter((r) => servedBy(r, f))) {
        if (classification(route, f.field) === undefined) missing.push(`${f.rpc} ${f.field} (${route.method} ${route.path})`);
      }
    }
    expect([...new Set(missing.map((m) => m.replace(/ \(.*\)$/, '')))], 'unclassified reference-shaped fields: add them to the references column, or to src/mlflow/reference-fields.ts with a reason').toEqual([]);
  });

  it('no stale inert entry (every one names a field of the pinned MLflow)', () => {
    const known = new Set(fields.map((f) => `${f.rpc} ${f.field.replace(/\[\]/g, '')}`));
    expect(known.size).toBeGreaterThan(0);
    const stale = Object.entries(INERT_FIELDS).flatMap(([rpc, m]) => Object.keys(m).map((k) => `${rpc} ${k.replace(/\[\]/g, '')}`)).filter((k) => !known.has(k));
    expect(stale).toEqual([]);
  });

  it('every reference names its level', () => {
    for (const r of ROUTES) for (const ref of r.references ?? []) expect(['read', 'update', 'use', 'delete', 'manage']).toContain(ref.action);
  });
});
