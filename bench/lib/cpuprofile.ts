import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per module, the
// "hot spots" of the report.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  name: string;
  where: string;
  selfMs: number;
  /** Share of the profile's busy (non-idle) time. */
  share: number;
}

export interface ProfileSummary {
  file: string;
  busyMs: number;
  idleMs: number;
  gcMs: number;
  functions: HotSpot[];
  modules: HotSpot[];
}

/**
 * `skipMs`: samples of the process's first milliseconds (start-up: module loading, TypeScript
 * compilation) are left out, so that the summary is about serving requests.
 */
export function summarizeCpuProfile(dir: string, root: string, skipMs: number, top = 15): ProfileSummary | undefined {
  // One file per thread (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile): the main thread is 0;
  // tsx's module-loader thread has its own.
  const file = readdirSync(dir).filter((f) => /\.0\.\d+\.cpuprofile$/.test(f)).sort().pop();
  if (!file) return undefined;
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let elapsedUs = 0;
  profile.samples.forEach((id, i) => {
    elapsedUs += profile.timeDeltas[i] ?? 0;
    if (elapsedUs < skipMs * 1000) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });

  const fn = new Map<string, HotSpot>();
  const mod = new Map<string, HotSpot>();
  let idle = 0;
  let gc = 0;
  let busy = 0;
  const add = (map: Map<string, HotSpot>, key: string, name: string, where: string, ms: number) => {
    const h = map.get(key) ?? { name, where, selfMs: 0, share: 0 };
    h.selfMs += ms;
    map.set(key, h);
  };
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const ms = us / 1000;
    const name = node.callFrame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += ms;
      continue;
    }
    busy += ms;
    if (name === '(garbage collector)') gc += ms;
    const where = location(node.callFrame.url, root);
    add(fn, `${name}@${where}:${node.callFrame.lineNumber}`, name, `${where}:${node.callFrame.lineNumber + 1}`, ms);
    add(mod, moduleOf(where, name), moduleOf(where, name), '', ms);
  }
  const rank = (map: Map<string, HotSpot>) =>
    [...map.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top).map((h) => ({ ...h, share: busy > 0 ? h.selfMs / busy : 0 }));
  return { file: join(dir, file), busyMs: busy, idleMs: idle, gcMs: gc, functions: rank(fn), modules: rank(mod) };
}

function location(url: string, root: string): string {
  if (!url) return '(native)';
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  return path.startsWith(root) ? relative(root, path) : path;
}

/** node_modules/<pkg> (scoped too), src/<dir>, node:internal, or the pseudo-frame's name. */
function moduleOf(where: string, name: string): string {
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where);
  if (nm) return nm[1]!;
  const src = /^(src\/[^/]+)/.exec(where);
  if (src) return src[1]!;
  if (where.startsWith('node:')) return 'node (built-in JS)';
  if (where === '(native)') return name.startsWith('(') ? name : 'native / V8 builtins';
  return where;
}
