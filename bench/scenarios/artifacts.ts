import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { request } from 'undici';
import type { Profile } from '../profile.js';
import type { GatewayProcess } from '../lib/gateway-process.js';
import { log } from '../lib/log.js';
import { sampleRss } from '../lib/procfs.js';
import { median } from '../lib/stats.js';
import type { Target } from '../lib/targets.js';

// Scenario 4: streaming a large artifact through MLflow's artifact proxy
// (PUT/GET /api/2.0/mlflow-artifacts/artifacts/<experiment>/<run>/artifacts/<file>), directly and
// through the gateway, while sampling the gateway process's RSS. Directions and targets
// alternate inside each round.

const CHUNK = 1024 * 1024;

export interface ArtifactSample {
  round: number;
  target: string;
  direction: 'upload' | 'download';
  bytes: number;
  seconds: number;
  mibPerSecond: number;
  /** Highest gateway RSS sampled during the transfer (bytes); undefined for the direct target. */
  gatewayPeakRss?: number;
}

export interface ArtifactCell {
  target: string;
  direction: 'upload' | 'download';
  rounds: number;
  mibPerSecond: number;
  /** Median over rounds of this target's throughput / the direct throughput of the same round. */
  ratioToDirect?: number;
  gatewayPeakRss?: number;
}

export interface ArtifactResult {
  bytes: number;
  gatewayRssBefore: number;
  gatewayRssAfter: number;
  /** VmHWM of the gateway process at the end: its peak RSS since it started. */
  gatewayHighWaterMark: number;
  samples: ArtifactSample[];
  cells: ArtifactCell[];
}

async function* payload(bytes: number, chunk: Buffer): AsyncGenerator<Buffer> {
  for (let sent = 0; sent < bytes; sent += chunk.length) yield sent + chunk.length <= bytes ? chunk : chunk.subarray(0, bytes - sent);
}

async function upload(url: string, headers: Record<string, string>, bytes: number, chunk: Buffer): Promise<void> {
  const res = await request(url, {
    method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(bytes) },
    body: Readable.from(payload(bytes, chunk), { objectMode: false }), headersTimeout: 600_000, bodyTimeout: 600_000,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`upload ${url} → ${res.statusCode}: ${text.slice(0, 300)}`);
}

async function download(url: string, headers: Record<string, string>, bytes: number): Promise<void> {
  const res = await request(url, { method: 'GET', headers, headersTimeout: 600_000, bodyTimeout: 600_000 });
  let received = 0;
  for await (const part of res.body) received += (part as Buffer).length;
  if (res.statusCode !== 200 || received !== bytes) throw new Error(`download ${url} → ${res.statusCode}, ${received} of ${bytes} bytes`);
}

export async function runArtifacts(
  direct: Target, viaGateway: Target, gateway: GatewayProcess, artifactPath: (name: string) => string, profile: Profile,
): Promise<ArtifactResult> {
  const bytes = profile.artifacts.bytes;
  const chunk = randomBytes(CHUNK);
  const samples: ArtifactSample[] = [];
  const gatewayRssBefore = gateway.memory().rss;
  for (let round = 0; round < profile.artifacts.rounds; round++) {
    for (const direction of ['upload', 'download'] as const) {
      for (const t of round % 2 === 0 ? [direct, viaGateway] : [viaGateway, direct]) {
        log(`artifacts: round ${round + 1}/${profile.artifacts.rounds} ${direction} via ${t.id} (${bytes / CHUNK} MiB)`);
        const url = `${t.url}${artifactPath(`bench-${t.id}.bin`)}`;
        const sampler = t.kind === 'gateway' ? sampleRss(gateway.pid, 50) : undefined;
        const t0 = performance.now();
        if (direction === 'upload') await upload(url, { ...t.headers }, bytes, chunk);
        else await download(url, { ...t.headers }, bytes);
        const seconds = (performance.now() - t0) / 1000;
        const peak = sampler?.stop().max;
        samples.push({ round, target: t.id, direction, bytes, seconds, mibPerSecond: bytes / CHUNK / seconds, ...(peak !== undefined ? { gatewayPeakRss: peak } : {}) });
      }
    }
  }
  const cells: ArtifactCell[] = [];
  for (const t of [direct, viaGateway]) {
    for (const direction of ['upload', 'download'] as const) {
      const list = samples.filter((s) => s.target === t.id && s.direction === direction);
      const cell: ArtifactCell = { target: t.id, direction, rounds: list.length, mibPerSecond: median(list.map((s) => s.mibPerSecond)) };
      if (t !== direct) {
        const ratios = list.map((s) => {
          const d = samples.find((x) => x.round === s.round && x.direction === direction && x.target === direct.id);
          return d ? s.mibPerSecond / d.mibPerSecond : NaN;
        });
        cell.ratioToDirect = median(ratios);
        cell.gatewayPeakRss = Math.max(...list.map((s) => s.gatewayPeakRss ?? 0));
      }
      cells.push(cell);
    }
  }
  const mem = gateway.memory();
  return { bytes, gatewayRssBefore, gatewayRssAfter: mem.rss, gatewayHighWaterMark: mem.peak, samples, cells };
}
