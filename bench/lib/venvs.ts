import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureMlflowVenv } from '../../src/devtools/mlflow.js';
import { exec } from './exec.js';

// The Python environments of a run: the project's pinned MLflow (scripts/mlflow-venv.sh) and the
// peers' venv (bench/scripts/peer-venv.sh: same MLflow + basic-auth extra + mlflow-oidc-auth).
// Both are created on first use under ~/.cache/mlflow-oidc-gateway/, keyed by versions.

const HERE = dirname(fileURLToPath(import.meta.url));

export { ensureMlflowVenv };

export function ensurePeerVenv(): string {
  const r = spawnSync('bash', [join(HERE, '../scripts/peer-venv.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const path = r.stdout.trim().split('\n').pop();
  if (r.status !== 0 || !path) throw new Error(`could not prepare the peers' venv (bench/scripts/peer-venv.sh exited ${r.status})`);
  return path;
}

/** Installed version of a package in a venv, and the venv's Python version. */
export async function venvVersions(venv: string, pkg: string): Promise<{ package: string; python: string }> {
  const r = await exec(join(venv, 'bin/python'), ['-c', `import importlib.metadata as m, platform; print(m.version(${JSON.stringify(pkg)})); print(platform.python_version())`]);
  const [version, python] = r.code === 0 ? r.stdout.trim().split('\n') : [];
  return { package: version ?? 'unknown', python: python ?? 'unknown' };
}
