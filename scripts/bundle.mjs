#!/usr/bin/env node
// Bundles the CLI (src/cli/main.ts) into dist/bundle/ with esbuild: the production entry
// (bin/mlflow-oidc-gateway.js, the container image) loads a few dozen files instead of the ~2,000 ES
// modules of dist/cli/ and node_modules, which costs start-up time and resident memory (module records,
// their code and closures: bench/README.md, "Footprint"; figures in docs/benchmarks.md).
//
// Code splitting keeps every `import()` of the sources a chunk of its own, loaded only when used: serve,
// config check, the demo, the GitHub and Entra ID sign-in code, OpenTelemetry wiring, the GraphQL
// endpoint, the PostgreSQL and Redis modules… The packages that only an optional feature loads stay
// external (resolved from node_modules at run time, exactly as without the bundle), and so do native
// add-ons. Every output file sits directly in dist/bundle/ — at the same depth as dist/<folder>/*.js —
// so that paths the sources build from import.meta.url (the admin UI's ui/dist) stay right.
// dist/bundle/meta.json (esbuild's metafile) says which sources each chunk holds:
// test/deploy/serve-module-graph.test.ts reads it to tell which parts `serve` loaded.
//
//   node scripts/bundle.mjs          (part of `npm run build`, after tsc)
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist/bundle');

/** Native add-ons and their optional companions: never bundled (they load .node files next to them). */
const NATIVE = ['better-sqlite3', 'pg-native', 'bufferutil', 'utf-8-validate'];
/**
 * Packages only an optional, configured or first-used feature loads. Left external, they are loaded
 * from node_modules when (and only when) the feature first imports them, as before the bundle; the
 * module-graph test sees them by their node_modules path.
 */
const LAZY_PACKAGES = [
  'oidc-provider', // the demo IdP (devtools)
  'pg', 'ioredis', // PostgreSQL store and bus, Redis bus and shared failure limiter
  'graphql', // MLflow's GraphQL endpoint, on its first request
  '@opentelemetry/*', // tracing, when an OTLP endpoint is configured
  'scim-patch', 'scim2-parse-filter', // SCIM, on its first request
  '@node-saml/node-saml', '@xmldom/xmldom', 'xml-crypto', // SAML, when a SAML provider is configured
];

const result = await build({
  absWorkingDir: ROOT,
  // main: the CLI (bin/). config and app: loadConfig and buildServer, for the bench's gateway child
  // (bench/lib/gateway-child.ts), so that the bench measures the code users run.
  entryPoints: { main: 'src/cli/main.ts', config: 'src/config/index.ts', app: 'src/server/app.ts' },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.18',
  // CommonJS packages inside an ES module bundle call require() for Node's built-ins and their own files.
  banner: { js: "import { createRequire as __gatewayCreateRequire } from 'node:module'; const require = __gatewayCreateRequire(import.meta.url);" },
  chunkNames: '[name]-[hash]',
  external: [...NATIVE, ...LAZY_PACKAGES],
  // Source maps for stack traces (`node --enable-source-maps`); the published package leaves them out.
  sourcemap: 'linked',
  // Minified: V8 keeps every loaded file's source text in memory (for lazy compilation and
  // Function.prototype.toString), ~9.5 MiB of serve's idle heap unminified, ~2.4 MiB minified; idle RSS
  // 96 → 89 MiB (docs/benchmarks.md). Function and class names stay as written (keepNames: `name`
  // shows in logs and error serialisation); stack traces name minified frames unless Node runs with
  // --enable-source-maps, which reads the .map files next to the bundle.
  minify: true,
  keepNames: true,
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
});

// Written file by file, and only where the content changed, each through a rename: test files that
// build the bundle run in parallel and start the entry while another one may be building it (an
// unchanged file is never truncated under a process that is loading it).
const outputs = [...result.outputFiles.map((f) => ({ path: f.path, contents: f.contents })), { path: join(OUT, 'meta.json'), contents: Buffer.from(JSON.stringify(result.metafile)) }];
mkdirSync(OUT, { recursive: true });
for (const { path, contents } of outputs) {
  if (existsSync(path) && readFileSync(path).equals(contents)) continue;
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}
// Chunks of an earlier build (their names carry a content hash) go.
const current = new Set(outputs.map((o) => relative(OUT, o.path)));
for (const name of readdirSync(OUT)) if (!current.has(name) && !name.endsWith('.tmp')) rmSync(join(OUT, name), { force: true });
