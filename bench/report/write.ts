import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderMarkdown } from './markdown.js';
import type { Results } from './types.js';

/** Writes <dir>/<name>.json (every sample) and <dir>/<name>.md (the report); returns the paths. */
export function writeResults(results: Results, dir: string, name: string): string[] {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${name}.json`);
  const md = join(dir, `${name}.md`);
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(md, `${renderMarkdown(results)}\n`);
  return [md, json];
}
