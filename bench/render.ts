// Renders bench/results/<name>.md (and, for `latest`, README.md's Performance section) again from
// the JSON of a run, without measuring: npx tsx bench/render.ts [latest|quick|partial]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { updateReadme } from './report/readme.js';
import type { Results } from './report/types.js';
import { writeResults } from './report/write.js';

const name = process.argv[2] ?? 'latest';
const dir = join(import.meta.dirname, 'results');
const results = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Results;
console.log(writeResults(results, dir, name).join('\n'));
if (name === 'latest') {
  updateReadme(join(import.meta.dirname, '../docs/benchmarks.md'), results);
  console.log('docs/benchmarks.md: Performance section updated');
}
