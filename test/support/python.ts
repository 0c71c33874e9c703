import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { inject } from 'vitest';

/** Runs a Python snippet with the venv's real MLflow client; resolves with exit code and output. */
export async function runPython(code: string, env: Record<string, string>, timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return runPythonIn(join(inject('mlflowVenv'), 'bin/python'), code, env, timeoutMs);
}

/** Same, with another interpreter (the peers' venv: the pinned MLflow with its basic-auth extra). */
export async function runPythonIn(python: string, code: string, env: Record<string, string>, timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-c', code], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0', MLFLOW_ENABLE_TELEMETRY: 'false', DO_NOT_TRACK: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve({ code: c ?? -1, stdout, stderr });
    });
  });
}
