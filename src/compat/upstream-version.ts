// The version of the MLflow server behind the gateway, read at start-up (GET /version) and again
// whenever MLflow comes back after being unreachable, and every `recheckMs` (an in-place upgrade
// behind a stable address is noticed too). Everything version-dependent asks `current()`.
//
// Until a version is known (MLflow down at start-up), the gateway assumes the pinned version: the
// route table and searches are then exactly what they are without version detection, and nothing
// is widened — an older MLflow would refuse the pinned version's filters, never serve more.
import { request } from 'undici';
import { capabilitiesFor, isSupported, PINNED_MLFLOW, SUPPORTED_RANGE, type Capabilities } from './capabilities.js';
import { parseVersion, version, type MlflowVersion } from './version.js';

export interface UpstreamVersion {
  /** The detected version, or the pinned one while none has been read. */
  current(): MlflowVersion;
  /** Whether current() was read from MLflow (false: assumed, MLflow has not answered yet). */
  detected(): boolean;
  capabilities(): Capabilities;
  /** Reads GET /version now; keeps the previous answer when MLflow cannot be reached. */
  refresh(): Promise<MlflowVersion | undefined>;
  /** Starts re-checking in the background (unref'd timer). */
  start(): void;
  stop(): void;
}

export interface VersionLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface UpstreamVersionOptions {
  upstreamUrl: string;
  log: VersionLog;
  timeoutMs?: number;
  /** Re-read interval while MLflow answers (default 60 s). */
  recheckMs?: number;
  /** Re-read interval while MLflow has not answered (default 5 s): a reconnect is noticed quickly. */
  retryMs?: number;
}

/** The start-up warning for a version outside the tested range (exported for tests and config check). */
export function outsideRangeMessage(v: MlflowVersion): string {
  return `MLflow ${v.text} is outside the range this gateway is tested with (${SUPPORTED_RANGE.since} … ${SUPPORTED_RANGE.until}.x); it uses the nearest version's route table and search strategies, which may refuse routes this MLflow serves or miss differences — run the gateway in front of a tested MLflow (docs/mlflow-compatibility.md)`;
}

/** GET <upstream>/version → the parsed version, or a reason. */
export async function readMlflowVersion(upstreamUrl: string, timeoutMs = 5000): Promise<{ ok: true; version: MlflowVersion } | { ok: false; reason: string }> {
  try {
    const res = await request(`${upstreamUrl}/version`, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    const text = (await res.body.text()).slice(0, 200);
    if (res.statusCode !== 200) return { ok: false, reason: `MLflow /version answered ${res.statusCode}` };
    const v = parseVersion(text);
    return v ? { ok: true, version: v } : { ok: false, reason: `MLflow /version answered ${JSON.stringify(text.slice(0, 40))}, not a version` };
  } catch (err) {
    return { ok: false, reason: `MLflow /version: ${(err as Error).message}` };
  }
}

export function createUpstreamVersion(opts: UpstreamVersionOptions): UpstreamVersion {
  const pinned = version(PINNED_MLFLOW);
  let known: MlflowVersion | undefined;
  let caps = capabilitiesFor(pinned);
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let inflight: Promise<MlflowVersion | undefined> | undefined;

  async function read(): Promise<MlflowVersion | undefined> {
    const r = await readMlflowVersion(opts.upstreamUrl, opts.timeoutMs);
    if (!r.ok) {
      if (known === undefined) opts.log.warn({ event: 'mlflow.version.unknown', detail: r.reason }, `cannot read MLflow's version yet; assuming the pinned ${PINNED_MLFLOW} until it answers`);
      return undefined;
    }
    const v = r.version;
    if (known === undefined || known.text !== v.text) {
      const first = known === undefined;
      known = v;
      caps = capabilitiesFor(v);
      opts.log.info({ event: first ? 'mlflow.version' : 'mlflow.version.changed', mlflowVersion: v.text, capabilities: caps }, `MLflow ${v.text} behind the gateway`);
      if (!isSupported(v)) opts.log.warn({ event: 'mlflow.version.unsupported', mlflowVersion: v.text, supported: SUPPORTED_RANGE }, outsideRangeMessage(v));
    }
    return v;
  }

  function schedule(): void {
    if (!running) return;
    timer = setTimeout(() => {
      void refresh().finally(schedule);
    }, known === undefined ? (opts.retryMs ?? 5000) : (opts.recheckMs ?? 60_000));
    timer.unref();
  }

  function refresh(): Promise<MlflowVersion | undefined> {
    inflight ??= read().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  return {
    current: () => known ?? pinned,
    detected: () => known !== undefined,
    capabilities: () => caps,
    refresh,
    start() {
      if (running) return;
      running = true;
      schedule();
    },
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
