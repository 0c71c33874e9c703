import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The Node options the container image starts the gateway with (the Dockerfile's ENV NODE_OPTIONS, e.g.
// the semi-space size: docs/benchmarks.md, "V8 settings"). The bench's gateway, its bare proxy and
// bench:footprint run with the same options, read from the Dockerfile so that the two cannot drift.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** BENCH_NODE_OPTIONS, when set, replaces them: a V8 setting is tried in the bench before it goes into the Dockerfile. */
export function imageNodeOptions(): string {
  if (process.env.BENCH_NODE_OPTIONS !== undefined) return process.env.BENCH_NODE_OPTIONS;
  const m = /^\s*NODE_OPTIONS="([^"]*)"/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  if (!m) throw new Error('the Dockerfile sets no NODE_OPTIONS="…" (bench/lib/image-node-options.ts reads it)');
  return m[1]!;
}
