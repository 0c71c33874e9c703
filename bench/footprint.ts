// `npm run bench:footprint [-- --starts=5]` — start-up and idle memory of the compiled gateway
// (`npm run build` first: it measures dist/bundle/, as users run it), and what each optional package would
// cost if `serve` loaded it. Writes bench/results/footprint.json. Loopback only, bounded.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDistServe, type DistStart } from './footprint/dist-serve.js';
import { importCost, type ImportCost } from './footprint/import-cost.js';
import { importSteps } from './footprint/import-steps.js';
import { packageOf, traceServeModules } from './footprint/module-trace.js';
import { median } from './lib/stats.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const starts = Math.min(Number(process.argv.find((a) => a.startsWith('--starts='))?.slice(9) ?? 5), 20);
if (!existsSync(join(ROOT, 'dist/bundle/main.js'))) throw new Error('dist/bundle/ is missing: run `npm run build` (or `npm run build:bundle`) first');

/** Optional parts (loaded only when configured or first used) next to what serve always loads. */
const OPTIONAL = ['oidc-provider', 'pg', 'ioredis', 'graphql', '@opentelemetry/sdk-trace-base', '@opentelemetry/exporter-trace-otlp-http'];
const ALWAYS = ['fastify', '@fastify/reply-from', 'undici', 'kysely', 'better-sqlite3', 'jose', 'openid-client', 'zod', 'pino', 'prom-client', 'yaml'];
const mib = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;

const load = { start: loadavg()[0]!, end: NaN };
const work = mkdtempSync(join(tmpdir(), 'gateway-footprint-'));
// Every start carries the 1-minute load average when it began: on a shared machine the figures are read with it.
type Start = DistStart & { load1: number };
const samples: Record<'file' | 'memory', Start[]> = { file: [], memory: [] };
const withLoad = async (p: () => Promise<DistStart>): Promise<Start> => {
  const load1 = Math.round(loadavg()[0]! * 100) / 100;
  return { ...(await p()), load1 };
};
try {
  for (let i = 0; i < starts; i++) {
    samples.file.push(await withLoad(() => startDistServe({ storeUrl: `sqlite:${join(work, `store-${i}.db`)}`, idleMs: 2000 })));
    samples.memory.push(await withLoad(() => startDistServe({ storeUrl: 'sqlite::memory:', idleMs: 2000 })));
    console.log(`footprint: start ${i + 1}/${starts}: ${samples.file[i]!.spawnToListeningMs.toFixed(0)} ms, idle ${mib(samples.file[i]!.rssIdle)} MiB (load average ${samples.file[i]!.load1})`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const imports: ImportCost[] = [...OPTIONAL, ...ALWAYS].map(importCost);
// What serve's own module graph is made of, and what each part of it costs (import-steps.ts).
const trace = await traceServeModules();
const graph = importSteps(trace);
const loadedPackages = [...new Set(trace.urls.map(packageOf).filter((p): p is string => p !== undefined))].sort();
console.log(`footprint: serve resolved ${trace.urls.length} modules of ${loadedPackages.length} packages; imported step by step: ${graph.totalRssMiB} MiB RSS, ${graph.totalHeapUsedMiB} MiB heap in use`);
const baseline = importCost('node:fs');
load.end = loadavg()[0]!;

const summary = (list: Start[]) => ({
  spawnToListeningMs: Math.round(median(list.map((s) => s.spawnToListeningMs))),
  rssListeningMiB: mib(median(list.map((s) => s.rssListening))),
  rssIdleMiB: mib(median(list.map((s) => s.rssIdle))),
  all: list.map((s) => ({ ms: Math.round(s.spawnToListeningMs), rssIdleMiB: mib(s.rssIdle), loadAverage1m: s.load1 })),
});
const result = {
  when: new Date().toISOString(), node: process.version, starts, loadAverage: load,
  fileStore: summary(samples.file), memoryStore: summary(samples.memory),
  serveGraph: { modules: trace.urls.length, packages: loadedPackages, ...graph },
  importCost: { baselineMiB: Math.round(baseline.rssMiB * 10) / 10, packages: imports.map((c) => ({ ...c, rssMiB: Math.round(c.rssMiB * 10) / 10, ms: Math.round(c.ms), optional: OPTIONAL.includes(c.pkg) })) },
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/footprint.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
