import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// What one package costs a process that imports it: in a fresh Node process that has already
// imported a small ESM module (so that the module loader's own start-up is not charged to the
// package), RSS and wall time before and after `await import(pkg)`.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ImportCost {
  pkg: string;
  rssMiB: number;
  ms: number;
}

const PROBE = `
await import('node:util');
const before = process.memoryUsage().rss;
const t = performance.now();
await import(process.argv[1]);
const ms = performance.now() - t;
await new Promise((r) => setTimeout(r, 200));
process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss - before, ms }));
`;

export function importCost(pkg: string): ImportCost {
  const out = execFileSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', PROBE, pkg], { cwd: ROOT, encoding: 'utf8' });
  const { rss, ms } = JSON.parse(out) as { rss: number; ms: number };
  return { pkg, rssMiB: rss / 1024 / 1024, ms };
}
