import { join } from 'node:path';
import type { Profile } from '../profile.js';
import { exec } from '../lib/exec.js';
import { log } from '../lib/log.js';
import { percentile } from '../lib/stats.js';
import type { Target } from '../lib/targets.js';
import { withHeaders, type Endpoint } from './rest-endpoints.js';

// Scenario 1b: the added latency a user's Python script sees (bench/README.md, "Why an independent
// check measured 3×"): Python http.client, one keep-alive connection per target, one request at a
// time, the targets interleaved request by request. Runs next to wrk's figures of the same run.

export interface ClientCell {
  endpoint: string;
  target: string;
  requests: number;
  p50: number;
  p99: number;
  /** Response framing the client saw (content-length or chunked). */
  framing: string;
  non2xx: number;
  addedP50?: number;
  addedP99?: number;
}

export async function runPythonClient(python: string, targets: readonly Target[], endpoints: readonly Endpoint[], profile: Profile): Promise<ClientCell[]> {
  const cells: ClientCell[] = [];
  for (const e of endpoints) {
    if (e.request.body !== undefined) continue; // http.client sends a body as a second write; GETs keep the comparison simple
    log(`client: python interleaved ${profile.client.requests} × ${targets.length} targets on ${e.id}`);
    const spec = {
      method: e.request.method, path: e.request.path, requests: profile.client.requests, warmup: profile.client.warmup,
      targets: targets.map((t) => {
        const u = new URL(t.url);
        return { id: t.id, host: u.hostname, port: Number(u.port), headers: withHeaders(e.request, t.headers).headers ?? {} };
      }),
    };
    const r = await exec(python, [join(import.meta.dirname, '../lib/interleaved_client.py'), JSON.stringify(spec)], { timeoutMs: 600_000 });
    if (r.code !== 0) throw new Error(`interleaved client failed (${r.code}): ${r.stderr.slice(0, 1000)}`);
    const got = JSON.parse(r.stdout) as Record<string, { us: number[]; framing: string; statuses: Record<string, number> }>;
    for (const t of targets) {
      const g = got[t.id]!;
      const ms = g.us.map((x) => x / 1000);
      cells.push({
        endpoint: e.id, target: t.id, requests: ms.length, p50: percentile(ms, 50), p99: percentile(ms, 99), framing: g.framing,
        non2xx: Object.entries(g.statuses).filter(([s]) => !s.startsWith('2')).reduce((n, [, c]) => n + c, 0),
      });
    }
    for (const c of cells.filter((x) => x.endpoint === e.id)) {
      const base = targets.find((t) => t.id === c.target)?.baseline;
      const b = cells.find((x) => x.endpoint === e.id && x.target === base);
      if (b) {
        c.addedP50 = c.p50 - b.p50;
        c.addedP99 = c.p99 - b.p99;
      }
    }
  }
  return cells;
}
