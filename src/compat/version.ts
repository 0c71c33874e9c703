// MLflow release numbers: parsing, ordering and range checks. Pure.
//
// MLflow reports its version at GET /version as plain text ("3.17.2", "2.9.2", "3.1.0.dev0",
// "3.0.0rc1"). Only the numeric release part is compared: a pre-release or dev build is treated as
// the release it leads to, which is what its HTTP surface resembles most.

export interface MlflowVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** The text MLflow sent, trimmed (for logs and readiness). */
  readonly text: string;
}

const RELEASE = /^v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?(?:[.+\-]?[0-9A-Za-z.+\-]*)?$/;

/** Parses "3.17.2" (or "3.17", "3.1.0.dev0", "3.0.0rc1"); undefined for anything else. */
export function parseVersion(text: string): MlflowVersion | undefined {
  const t = text.trim();
  const m = RELEASE.exec(t);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), text: t };
}

/** Like parseVersion, for literals in the code: throws on a malformed one. */
export function version(text: string): MlflowVersion {
  const v = parseVersion(text);
  if (!v) throw new Error(`not an MLflow version: ${JSON.stringify(text)}`);
  return v;
}

/** <0, 0, >0 as a is older than, the same release as, newer than b. */
export function compareVersions(a: MlflowVersion, b: MlflowVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * A range of MLflow releases, both ends inclusive and optional. `since: '3.0'` = 3.0.0 and later;
 * `until: '3.16'` = up to and including every 3.16.x (a bound with two parts covers its whole minor
 * series, so a later patch release of that minor stays in range).
 */
export interface VersionRange {
  readonly since?: string;
  readonly until?: string;
}

export function inRange(v: MlflowVersion, range: VersionRange): boolean {
  if (range.since !== undefined && compareVersions(v, version(range.since)) < 0) return false;
  if (range.until !== undefined) {
    const u = version(range.until);
    const twoParts = range.until.trim().split('.').length === 2;
    const upper = twoParts ? { ...u, patch: Number.MAX_SAFE_INTEGER } : u;
    if (compareVersions(v, upper) > 0) return false;
  }
  return true;
}

export function formatRange(range: VersionRange): string {
  if (range.since !== undefined && range.until !== undefined) return `${range.since} … ${range.until}`;
  if (range.since !== undefined) return `${range.since} and later`;
  if (range.until !== undefined) return `up to ${range.until}`;
  return 'every version';
}
