import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { openStore, type Store } from '../../src/store/index.js';
import { TEST_SECRET } from './stack.js';

// The CLI as an operator runs it: `tsx src/cli/main.ts …` in a child process, configured by
// environment variables only. The project's own tsx binary is what `npx tsx` runs; calling it
// directly saves npx's start-up (seconds on a busy machine) per run.
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI asynchronously (an IdP answering it may live in this process), with only PATH and HOME inherited. */
export function runCli(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((done) => {
    execFile(TSX, ['src/cli/main.ts', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** A valid configuration for store-only commands: the IdP and MLflow point at a closed port and are never contacted. */
export function offlineCliEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MLFLOW_UPSTREAM_URL: 'http://127.0.0.1:9', GATEWAY_PUBLIC_URL: 'http://127.0.0.1:8080', GATEWAY_SECRET: TEST_SECRET,
    OIDC_ISSUER: 'http://127.0.0.1:9/idp', OIDC_CLIENT_ID: 'mlflow-gateway', GATEWAY_DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', ...extra,
  };
}

/** Opens the store the CLI wrote to, for assertions, and closes it again. */
export async function withStore<T>(databaseUrl: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(databaseUrl);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
