// The route table against an installed MLflow server, in both directions, per MLflow version: the
// pinned one by default; MLFLOW_COVERAGE_VERSIONS=2.9.2,3.0.1 (or "all": every tested version,
// as `npm run test:compat` does) runs each against its own venv (scripts/mlflow-venvs.sh), with the
// table entries that version serves (since/until, src/mlflow/route-versions.ts):
//   - every route the server serves is in the table and classify() finds it (nothing unclassified);
//   - every table entry is served by the server (nothing stale);
//   - for a concrete request to every route (plus tricky overlaps) classify() picks the same route,
//     with the same parameters, as the server's own dispatch (FastAPI first, then Flask/werkzeug).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { capabilitiesFor, PINNED_MLFLOW, TESTED_MLFLOW } from '../src/compat/capabilities.js';
import { version as parseVersion } from '../src/compat/version.js';
import { ensureMlflowVenvFor } from '../src/devtools/mlflow.js';
import { classifierFor, routesFor } from '../src/mlflow/classify.js';
import { normalizePath } from '../src/mlflow/normalize.js';
import { ROUTES as ALL_ROUTES } from '../src/mlflow/routes.js';
import type { RouteSpec } from '../src/mlflow/types.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(root, 'scripts/mlflow-routes.py');

interface InstalledRoute {
  method: string;
  path: string;
  source: 'flask' | 'fastapi';
  endpoint: string;
}
interface OracleMatch {
  server: 'flask' | 'fastapi';
  path: string | null;
  params: Record<string, string>;
}

const requested = (process.env.MLFLOW_COVERAGE_VERSIONS ?? PINNED_MLFLOW).trim();
const VERSIONS: readonly string[] = requested === 'all' ? TESTED_MLFLOW : requested.split(',').map((v) => v.trim()).filter(Boolean);

describe.each(VERSIONS)('MLflow %s route coverage', (mlflowVersion) => {
  const v = parseVersion(mlflowVersion);
  const caps = capabilitiesFor(v);
  const ROUTES: readonly RouteSpec[] = routesFor(ALL_ROUTES, v, caps.fastapi);
  const classifier = classifierFor(v);
  let python = '';
  let installed: InstalledRoute[] = [];

  function runScript(args: string[], input?: string): string {
    return execFileSync(python, [script, ...args], {
      cwd: root,
      encoding: 'utf8',
      input,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, MLFLOW_ENABLE_TELEMETRY: 'false', DO_NOT_TRACK: 'true' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  /** Template as the gateway stores it: no trailing slash (except the root). */
  function normTemplate(p: string): string {
    return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
  }
  /** Starlette's path_format drops the `:path` convertor; compare modulo that and the trailing slash. */
  function looseTemplate(p: string): string {
    return normTemplate(p.replace(/\{([A-Za-z_][A-Za-z0-9_]*):path\}/g, '{$1}'));
  }

  /** A concrete request path for a template: one segment per parameter, two segments per path parameter. */
  function sample(template: string): string {
    return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)(:path)?\}/g, (_m, name: string, isPath?: string) =>
      isPath ? `12/x-${name}` : `v-${name}`,
    );
  }

  function ours(method: string, rawPath: string): { path: string; params: Record<string, string>; server: string } | null {
    const n = normalizePath(rawPath);
    if (!n.ok) throw new Error(`sample path ${rawPath} does not normalise: ${n.message}`);
    const r = classifier.classify(method, n.path);
    return r.ok ? { path: r.route.path, params: { ...r.params }, server: r.route.server } : null;
  }

  beforeAll(() => {
    python = join(ensureMlflowVenvFor(mlflowVersion), 'bin/python');
    installed = JSON.parse(runScript([])) as InstalledRoute[];
  }, 30 * 60_000);

  describe(`${ROUTES.length} table entries served by ${mlflowVersion}`, () => {
    it('lists a plausible number of installed routes, from FastAPI exactly where the version has it', () => {
      expect(execFileSync(python, ['-c', 'import mlflow; print(mlflow.__version__)'], { encoding: 'utf8' }).trim()).toBe(mlflowVersion);
      expect(installed.length).toBeGreaterThan(100);
      expect(installed.some((r) => r.source === 'fastapi')).toBe(caps.fastapi);
    });

    it('classifies every route the installed server serves', () => {
      const table = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
      const problems: string[] = [];
      for (const r of installed) {
        if (r.method === 'WEBSOCKET') {
          problems.push(`websocket route ${r.path} (${r.endpoint}) is not modelled`);
          continue;
        }
        const key = `${r.method} ${normTemplate(r.path)}`;
        if (!table.has(key)) {
          problems.push(`missing from the table: ${r.method} ${r.path} (${r.source} ${r.endpoint})`);
          continue;
        }
        const got = ours(r.method, sample(r.path));
        if (!got || got.path !== normTemplate(r.path)) {
          problems.push(`classify(${r.method} ${sample(r.path)}) → ${got?.path ?? 'nothing'}, expected ${normTemplate(r.path)}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('holds no stale entry (every table route is served by the installed server)', () => {
      const served = new Set(installed.map((r) => `${r.method} ${normTemplate(r.path)}`));
      const stale = ROUTES.filter((r) => !served.has(`${r.method} ${r.path}`)).map((r) => `${r.method} ${r.path}`);
      expect(stale).toEqual([]);
    });

    it('records which server answers each route (FastAPI shadows Flask on the same method and path)', () => {
      const servers = new Map<string, Set<string>>();
      for (const r of installed) {
        const key = `${r.method} ${normTemplate(r.path)}`;
        servers.set(key, (servers.get(key) ?? new Set()).add(r.source));
      }
      const wrong = ROUTES.filter((r) => {
        const s = servers.get(`${r.method} ${r.path}`);
        const expected = s?.has('fastapi') ? 'fastapi' : 'flask';
        return r.server !== expected;
      }).map((r) => `${r.method} ${r.path}: table says ${r.server}`);
      expect(wrong).toEqual([]);
    });

    it('dispatches concrete requests exactly like the installed server', () => {
      const probes: [string, string][] = [];
      for (const r of installed) if (r.method !== 'WEBSOCKET') probes.push([r.method, sample(r.path)]);
      probes.push(
        ['POST', '/gateway/proxy/mlflow/invocations'],
        ['POST', '/gateway/proxy/ep/v1/chat/completions'],
        ['POST', '/gateway/gemini/v1beta/models/a:b:generateContent'],
        ['POST', '/gateway/gemini/v1beta/models/a:streamGenerateContent'],
        ['POST', '/gateway/mlflow/mlflow/invocations'],
        ['GET', '/ajax-api/3.0/mlflow/mcp-servers/acme/tool/versions/1/versions/2'],
        ['DELETE', '/api/3.0/mlflow/mcp-servers/acme/tool/versions/1/tags/a/b'],
        ['GET', '/api/3.0/mlflow/mcp-servers/endpoints'],
        ['GET', '/api/3.0/mlflow/mcp-servers/acme/tool/endpoints'],
        ['GET', '/api/3.0/mlflow/mcp-servers/acme/tool/endpoints/e1'],
        ['GET', '/ajax-api/3.0/jobs/search'],
        ['GET', '/ajax-api/3.0/jobs/cancel'],
        ['PATCH', '/ajax-api/3.0/jobs/search'],
        ['GET', '/api/3.0/mlflow/traces/get'],
        ['GET', '/api/3.0/mlflow/traces/batchGet'],
        ['PATCH', '/api/3.0/mlflow/traces/get/tags'],
        ['GET', '/api/2.0/mlflow/logged-models/search'],
        ['DELETE', '/ajax-api/3.0/mlflow/datasets/search'],
        ['GET', '/ajax-api/3.0/mlflow/datasets/create'],
        ['GET', '/api/2.0/mlflow-artifacts/artifacts/1/a%20b/c%3Ad.txt'],
        ['DELETE', '/api/2.0/mlflow-artifacts/artifacts/mpu/create/1'],
        ['POST', '/api/2.0/mlflow-artifacts/mpu/create/1/x'],
        ['GET', '/static-files/static/js/main.js'],
        ['GET', '/api/2.0/mlflow/experiments/nope'],
        ['GET', '/gateway/nope'],
        ['GET', '/nope'],
      );
      const oracle = JSON.parse(runScript(['--match'], JSON.stringify(probes.map(([m, p]) => [m, decodeURIComponent(p)])))) as (OracleMatch | null)[];
      expect(oracle).toHaveLength(probes.length);
      const diffs: string[] = [];
      probes.forEach(([method, p], i) => {
        const theirs = oracle[i] ?? null;
        const mine = ours(method, p);
        const a = theirs && theirs.path !== null ? { path: looseTemplate(theirs.path), params: theirs.params, server: theirs.server } : null;
        const b = mine ? { path: looseTemplate(mine.path), params: mine.params, server: mine.server } : null;
        if (JSON.stringify(a) !== JSON.stringify(b)) {
          diffs.push(`${method} ${p}: server ${JSON.stringify(a)} vs gateway ${JSON.stringify(b)}`);
        }
      });
      expect(diffs).toEqual([]);
    }, 300_000); // one Python run over every route; slow on a shared CPU
  });
});
