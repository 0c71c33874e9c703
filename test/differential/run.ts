import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Runs the differential driver (driver.py + scenarios.py) against ONE target and returns its
// normalised records. Everything the run depends on is a parameter, so the same driver can be
// pointed at any MLflow version's venv and server (the `versions` suite reuses it).

const HERE = dirname(fileURLToPath(import.meta.url));

export interface DriverTarget {
  /** MLflow's URL, or the gateway's public URL (with its mount path). */
  readonly url: string;
  /** Bearer token (the gateway); none for MLflow directly. */
  readonly token?: string;
  /** Unique prefix of this session's object names (normalised away in the records). */
  readonly prefix: string;
}

export interface DriverOptions {
  /** The venv whose python and `mlflow` package play the client (bin/python inside). */
  readonly venv: string;
  /** Only operations whose name starts with one of these (debugging). */
  readonly only?: readonly string[];
  readonly timeoutMs?: number;
}

/** One operation as the client saw it: outcome and the HTTP exchanges, normalised. */
export interface DriverRecord {
  readonly op: string;
  readonly outcome: Record<string, unknown>;
  readonly http: ReadonlyArray<Record<string, unknown>>;
}

export async function runDriver(target: DriverTarget, opts: DriverOptions): Promise<DriverRecord[]> {
  const out = join(mkdtempSync(join(tmpdir(), 'mlflow-diff-')), 'records.json');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp',
    MLFLOW_TRACKING_URI: target.url, DIFF_PREFIX: target.prefix, DIFF_OUT: out,
    MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0', MLFLOW_ENABLE_TELEMETRY: 'false', DO_NOT_TRACK: 'true', PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1',
    ...(target.token ? { MLFLOW_TRACKING_TOKEN: target.token } : {}),
    ...(opts.only ? { DIFF_ONLY: opts.only.join(',') } : {}),
  };
  const stderr = await new Promise<string>((resolve, reject) => {
    const child = spawn(join(opts.venv, 'bin/python'), [join(HERE, 'driver.py')], { cwd: HERE, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-20_000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 240_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(err);
      else reject(new Error(`differential driver exited ${code} against ${target.url}:\n${err}`));
    });
  });
  const records = JSON.parse(readFileSync(out, 'utf8')) as DriverRecord[];
  const crash = records.find((r) => r.op === 'driver.crash');
  if (crash) throw new Error(`differential driver crashed against ${target.url}: ${JSON.stringify(crash.outcome)}\n${stderr}`);
  return records;
}
