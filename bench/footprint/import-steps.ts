import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { packageOf, type ModuleTrace } from './module-trace.js';

// What each part of `serve`'s module graph costs when it is loaded: one fresh Node process
// (--expose-gc) imports, one at a time, first every package `serve` resolved (by name, in the order
// serve first resolved it), then the gateway's own dist/ modules in post-order of the traced import
// graph (a module after everything it imports), so each import adds that module alone. After each
// import it collects garbage twice and reads RSS and the V8 heap in use; a step's figure is what it
// added on top of everything before it (a package another one already pulled in costs ~0 on its
// own), summed per package and per dist/ folder. RSS moves in pages and the allocator keeps freed
// memory, so small RSS figures are noise (even negative); the heap figure is the precise one.
// A measurement of memory, not a timed test: the milliseconds are wall time at the current load.

const ROOT = resolve(import.meta.dirname, '../..');

export interface ImportStep {
  /** A package name, or `dist/<folder>` for the gateway's own modules. */
  step: string;
  modules: number;
  rssMiB: number;
  heapUsedMiB: number;
  ms: number;
}

const PROBE = `
const steps = JSON.parse(process.argv[1]);
const mem = () => { globalThis.gc(); globalThis.gc(); const m = process.memoryUsage(); return { rss: m.rss, heap: m.heapUsed }; };
await import('node:util');
const first = mem();
let last = first;
const out = [];
for (const s of steps) {
  const t = performance.now();
  await import(s.specifier);
  const ms = performance.now() - t;
  const now = mem();
  out.push({ group: s.group, rss: now.rss - last.rss, heap: now.heap - last.heap, ms });
  last = now;
}
process.stdout.write(JSON.stringify({ base: first, end: last, steps: out }));
`;

/** The import order: packages by name first, then dist/ modules after their own imports. */
export function stepsOf(trace: ModuleTrace): { group: string; specifier: string }[] {
  const packages: string[] = [];
  for (const url of trace.urls) {
    const pkg = packageOf(url);
    if (pkg && !packages.includes(pkg)) packages.push(pkg);
  }
  const own = (url: string) => url.startsWith('file:') && !packageOf(url) && /\/dist\/.+\.js$/.test(url);
  const ordered: string[] = [];
  const seen = new Set<string>();
  const visit = (url: string) => {
    if (seen.has(url)) return;
    seen.add(url);
    for (const dep of trace.imports.get(url) ?? []) if (own(dep)) visit(dep);
    // The CLI entry runs its command line on import: its modules are loaded, not it.
    if (!/\/dist\/(cli|bundle)\/main\.js$/.test(url)) ordered.push(url);
  };
  for (const url of trace.urls) if (own(url)) visit(url);
  const folder = (url: string) => `dist/${/\/dist\/([^/]+)\//.exec(url)?.[1] ?? '.'}`;
  return [...packages.map((p) => ({ group: p, specifier: p })), ...ordered.map((u) => ({ group: folder(u), specifier: u }))];
}

export function importSteps(trace: ModuleTrace): { baseRssMiB: number; totalRssMiB: number; totalHeapUsedMiB: number; steps: ImportStep[] } {
  const steps = stepsOf(trace);
  const raw = execFileSync(process.execPath, ['--expose-gc', '--no-warnings', '--input-type=module', '-e', PROBE, JSON.stringify(steps)], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024,
  });
  const res = JSON.parse(raw) as { base: { rss: number; heap: number }; end: { rss: number; heap: number }; steps: { group: string; rss: number; heap: number; ms: number }[] };
  const groups = new Map<string, { modules: number; rss: number; heap: number; ms: number }>();
  for (const s of res.steps) {
    const g = groups.get(s.group) ?? { modules: 0, rss: 0, heap: 0, ms: 0 };
    g.modules++;
    g.rss += s.rss;
    g.heap += s.heap;
    g.ms += s.ms;
    groups.set(s.group, g);
  }
  const mib = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
  return {
    baseRssMiB: mib(res.base.rss), totalRssMiB: mib(res.end.rss), totalHeapUsedMiB: mib(res.end.heap),
    steps: [...groups.entries()].map(([step, g]) => ({ step, modules: g.modules, rssMiB: mib(g.rss), heapUsedMiB: mib(g.heap), ms: Math.round(g.ms) }))
      .sort((a, b) => b.heapUsedMiB - a.heapUsedMiB),
  };
}
