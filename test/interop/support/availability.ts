// Interop suites need a server nobody here wrote (Keycloak, Dex), prepared by scripts/*.sh. Locally a
// missing one skips the suite with a visible message; under CI (CI=1, set by .ci/run) it fails instead,
// so a broken download or build can never turn into a silently green run.
import { execFileSync } from 'node:child_process';

export const UNDER_CI = ['1', 'true'].includes((process.env.CI ?? '').toLowerCase());

/** Runs `bash script args…` and returns its trimmed stdout, or undefined when it exits non-zero. */
export function scriptOutput(script: string, args: string[]): string | undefined {
  try {
    return execFileSync('bash', [script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Decides whether a suite can run. Returns true when `missing` is undefined; otherwise prints why it
 * skips, or throws under CI.
 */
export function available(what: string, missing: string | undefined): boolean {
  if (missing === undefined) return true;
  const message = `${what} interop suite: ${missing}`;
  if (UNDER_CI) throw new Error(`${message} (CI must run this suite)`);
  console.warn(`SKIPPED — ${message}`);
  return false;
}
