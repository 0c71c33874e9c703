#!/usr/bin/env node
// Builds the admin UI (ui/ → ui/dist) when it is missing or older than its sources, so that
// `npm test`, `npm run demo` and CI always serve a current UI without rebuilding every time.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'ui/dist/index.html');

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
}

// src/policy: the pattern preview bundles the policy's matching (ui/src/pattern-match.ts);
// src/store/role-group-names.ts: the groups and share pages bundle the reserved role-group test.
const sources = ['ui/src', 'ui/public', 'ui/index.html', 'ui/vite.config.ts', 'src/policy', 'src/store/role-group-names.ts'].map((p) => join(root, p)).filter(existsSync);
const stale = !existsSync(built) || Math.max(...sources.map(newest)) > statSync(built).mtimeMs;
if (stale || process.argv.includes('--force')) {
  process.stdout.write('[ui] building the admin UI (ui/ → ui/dist)…\n');
  const r = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(root, 'ui/vite.config.ts')], { stdio: 'inherit', cwd: root });
  process.exit(r.status ?? 1);
}
