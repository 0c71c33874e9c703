import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChildServer, type ChildServer } from './child-server.js';

// Parent side of fake-upstream-child.ts.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export type FakeUpstream = ChildServer;

/** `canned`: "METHOD /path" → exact response body. */
export async function startFakeUpstream(canned: Record<string, string>, workDir: string): Promise<FakeUpstream> {
  const file = join(workDir, 'fake-upstream-canned.json');
  writeFileSync(file, JSON.stringify(canned));
  return startChildServer(join(ROOT, 'bench/lib/fake-upstream-child.ts'), { BENCH_CANNED_FILE: file }, 'fake upstream');
}
