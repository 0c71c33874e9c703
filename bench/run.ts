// `npm run bench` — the benchmark suite (bench/README.md). Measures the gateway side by side with
// MLflow directly and with the peers, writes bench/results/latest.{md,json} and refreshes README.md's
// Performance section.
//   --quick        ~2-minute smoke run of every scenario (results go to bench/results/quick.*)
//   --only=a,b     run only these scenarios: startup, rest, client, search, children, ceiling, artifacts
//   --no-peers     skip MLflow basic-auth and mlflow-oidc-auth
//   --keep         keep the work directory (logs, stores, CPU profiles) under the OS temp dir
//   --max-minutes=N  the run's time bound (default 45): a loaded machine needs more
import { join } from 'node:path';
import { FULL, QUICK } from './profile.js';
import { runAll } from './suite.js';
import { updateReadme } from './report/readme.js';
import { writeResults } from './report/write.js';
import { log } from './lib/log.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(`--${name}`);
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const maxMinutesArg = args.find((a) => a.startsWith('--max-minutes='))?.slice('--max-minutes='.length);
const maxMinutes = maxMinutesArg === undefined ? 45 : Number(maxMinutesArg);
const unknown = args.filter((a) => !['--quick', '--keep', '--no-peers'].includes(a) && !a.startsWith('--only=') && !a.startsWith('--max-minutes='));
if (!Number.isFinite(maxMinutes) || maxMinutes <= 0) {
  console.error(`--max-minutes must be a positive number of minutes, got '${maxMinutesArg}'`);
  process.exit(2);
}
if (unknown.length > 0) {
  console.error(`unknown arguments: ${unknown.join(' ')}\nusage: npm run bench [-- --quick] [--only=startup,rest,client,search,children,ceiling,artifacts] [--no-peers] [--keep] [--max-minutes=N]`);
  process.exit(2);
}

const profile = flag('quick') ? QUICK : FULL;
const deadline = setTimeout(() => {
  console.error(`bench: the run exceeded its ${maxMinutes}-minute bound (--max-minutes); stopping`);
  process.exit(1);
}, maxMinutes * 60_000);
deadline.unref();

try {
  const results = await runAll(profile, { keep: flag('keep'), peers: !flag('no-peers'), only });
  const name = profile.name === 'full' && !only ? 'latest' : profile.name === 'quick' && !only ? 'quick' : 'partial';
  const files = writeResults(results, join(import.meta.dirname, 'results'), name);
  log(`results written: ${files.join(', ')}`);
  if (name === 'latest') {
    updateReadme(join(import.meta.dirname, '../docs/benchmarks.md'), results);
    log('docs/benchmarks.md: Performance section updated');
  }
  process.exit(0);
} catch (err) {
  console.error(err);
  process.exit(1);
}
