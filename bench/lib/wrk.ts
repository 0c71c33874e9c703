import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The load generator: Debian's wrk (C, epoll, one thread), driven by wrk.lua for a fixed number
// of requests, with the -d duration as the upper time bound. Latencies are wrk's own microsecond
// histogram, so sub-millisecond differences are visible (autocannon rounds to whole ms).

const HERE = dirname(fileURLToPath(import.meta.url));

let wrkPath: string | undefined;

/** Installs wrk when absent (bench/scripts/ensure-wrk.sh) and returns its path. */
export function ensureWrk(): string {
  if (wrkPath) return wrkPath;
  const r = spawnSync('bash', [join(HERE, '../scripts/ensure-wrk.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const path = r.stdout.trim().split('\n').pop();
  if (r.status !== 0 || !path) throw new Error('wrk is not installed and could not be installed (bench/scripts/ensure-wrk.sh)');
  wrkPath = path;
  return path;
}

export interface LoadRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** Path and query, e.g. /api/2.0/mlflow/experiments/get?experiment_id=1 */
  path: string;
  headers?: Record<string, string>;
  /** "{{n}}" is replaced by a per-request counter. */
  body?: string;
}

export interface LoadOptions {
  /** Fixed number of responses to wait for. */
  requests: number;
  connections: number;
  /** Upper bound of the run; a run that hits it reports fewer requests. */
  maxSeconds: number;
  /** Per-request timeout. */
  timeoutSeconds?: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  /** Milliseconds. */
  latency: { mean: number; min: number; max: number; p50: number; p90: number; p99: number; p999: number };
}

/** Runs one fixed-count load against `baseUrl` and returns wrk's measurements. */
export async function runLoad(baseUrl: string, req: LoadRequest, opts: LoadOptions): Promise<LoadResult> {
  const wrk = ensureWrk();
  const headers = Object.entries(req.headers ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n');
  const args = [
    '-t1', `-c${opts.connections}`, `-d${Math.ceil(opts.maxSeconds) + 1}s`, `--timeout`, `${opts.timeoutSeconds ?? 30}s`,
    '-s', join(HERE, 'wrk.lua'), baseUrl,
  ];
  const env = {
    ...process.env,
    BENCH_METHOD: req.method,
    BENCH_PATH: req.path,
    BENCH_HEADERS: headers,
    BENCH_BODY: req.body ?? '',
    BENCH_LIMIT: String(opts.requests),
  };
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(wrk, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    // wrk ends by itself at the count; -d takes whole seconds only, so the time bound is a SIGINT
    // (wrk then stops and reports what it measured). The last guard catches a hung process.
    const bound = setTimeout(() => child.kill('SIGINT'), opts.maxSeconds * 1000);
    const guard = setTimeout(() => child.kill('SIGKILL'), (opts.maxSeconds + 30) * 1000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(bound);
      clearTimeout(guard);
      if (code !== 0 && !stdout.includes('BENCH_RESULT')) reject(new Error(`wrk exited ${code}: ${stderr || stdout}`));
      else resolve(stdout);
    });
  });
  const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`wrk printed no result:\n${out}`);
  const raw = JSON.parse(line.slice('BENCH_RESULT '.length)) as {
    requests: number; durationUs: number;
    errors: LoadResult['errors'];
    latencyUs: { mean: number; min: number; max: number; p50: number; p90: number; p99: number; p999: number };
  };
  const ms = (us: number) => us / 1000;
  const seconds = raw.durationUs / 1e6;
  return {
    requests: raw.requests,
    seconds,
    rps: raw.requests / seconds,
    errors: raw.errors,
    latency: {
      mean: ms(raw.latencyUs.mean), min: ms(raw.latencyUs.min), max: ms(raw.latencyUs.max),
      p50: ms(raw.latencyUs.p50), p90: ms(raw.latencyUs.p90), p99: ms(raw.latencyUs.p99), p999: ms(raw.latencyUs.p999),
    },
  };
}

/** Non-2xx answers and socket errors (a benchmark of refused requests measures nothing). */
export function failures(r: LoadResult): number {
  const e = r.errors;
  return e.connect + e.read + e.write + e.status + e.timeout;
}
