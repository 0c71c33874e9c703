// Regenerates src/pipeline/filtered/graphql/schemas/: the GraphQL schema of every tested MLflow
// version (scripts/mlflow-pins.txt), as that version's server prints it, so the gateway validates
// a GraphQL request against the schema of the MLflow actually behind it (schemas/index.ts picks it).
//
//   npx tsx scripts/mlflow-graphql-schemas.ts            every version in scripts/mlflow-pins.txt
//   npx tsx scripts/mlflow-graphql-schemas.ts 3.18.0     a trial: prints how it differs, writes nothing
//
// A version without mlflow.server.graphql (2.9.2) has no entry. A schema identical to the previous
// tested version's is not written again: the older entry covers both. The oldest schema is written in
// full, each later one as its line changes from the one before (scripts/graphql-schema-files.ts).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareVersions, version } from '../src/compat/version.js';
import { writeGraphqlSchemaFiles } from './graphql-schema-files.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'src/pipeline/filtered/graphql/schemas');
const pins = readFileSync(join(root, 'scripts/mlflow-pins.txt'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
  .map((l) => l.trim().split(/\s+/)[0] as string);
const trial = process.argv.slice(2);
const versions = (trial.length > 0 ? trial : pins).sort((a, b) => compareVersions(version(a), version(b)));

const PRINT = 'import importlib.util, sys\n' +
  'if importlib.util.find_spec("mlflow.server.graphql") is None: sys.exit(3)\n' +
  'from mlflow.server.graphql.graphql_schema_extensions import schema\nprint(schema)';

function schemaOf(v: string): string | undefined {
  const out = execFileSync('bash', [join(root, 'scripts/mlflow-venvs.sh'), v], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const venv = out.slice(out.lastIndexOf(' ') + 1);
  try {
    return execFileSync(join(venv, 'bin/python'), ['-c', PRINT], { encoding: 'utf8', env: { ...process.env, MLFLOW_ENABLE_TELEMETRY: 'false' }, stdio: ['ignore', 'pipe', 'inherit'] }).trim() + '\n';
  } catch (err) {
    if ((err as { status?: number }).status === 3) return undefined;
    throw err;
  }
}

const entries: Array<{ version: string; sdl: string }> = [];
let previous: string | undefined;
for (const v of versions) {
  const sdl = schemaOf(v);
  console.log(`${v}: ${sdl === undefined ? 'no GraphQL' : sdl === previous ? 'same schema as the previous version' : `${sdl.split('\n').length} lines`}`);
  if (sdl !== undefined && sdl !== previous) entries.push({ version: v, sdl });
  previous = sdl;
}
if (trial.length > 0) process.exit(0);

writeGraphqlSchemaFiles(outDir, versions, entries.map((e) => ({ version: e.version, sdl: `\n${e.sdl}` })));
console.log(`wrote ${entries.length} schemas to ${outDir}`);
