import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../support/stack.js';

// What `serve` loads when nothing optional is configured. Each optional package costs RSS and
// start-up time (bench/README.md, "Footprint"): the PostgreSQL and Redis clients, the
// OpenTelemetry SDK, the GraphQL parser, the SCIM libraries (scim-patch, scim2-parse-filter:
// loaded by the first SCIM request), the GitHub and Entra ID sign-in code (loaded by the first such
// sign-in), SAML's XML libraries (node-saml, xml-crypto, xmldom: loaded by a configured SAML provider), and above all the demo IdP's oidc-provider, which a production process must never
// contain. The production entry (bin/ → the esbuild bundle in dist/bundle/, scripts/bundle.mjs) runs with a
// module-resolution hook that writes every resolved URL to a file. A URL under node_modules names its
// package (the optional packages stay external to the bundle); a bundle file stands for the sources
// esbuild put into it, read from the bundle's metafile (dist/bundle/meta.json): a chunk that holds any
// file of a lazy part, loaded by serve, fails the test like the file itself would.
// A property test, not a timed one.
const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, 'bin/mlflow-oidc-gateway.js');
const run = promisify(execFile);

const NEVER_WHEN_UNCONFIGURED = [
  'oidc-provider', 'pg', 'ioredis', 'graphql', '@opentelemetry/sdk-trace-base', '@opentelemetry/exporter-trace-otlp-http', '@opentelemetry/resources',
  'scim-patch', 'scim2-parse-filter',
  // SAML's XML libraries (src/saml/lazy-libs.ts): only a configured SAML provider loads them.
  '@node-saml/node-saml', '@xmldom/xmldom', 'xml-crypto',
];
/** The gateway's own modules that only a configured (or first used) feature loads, as source paths. */
const OWN_NEVER_WHEN_UNCONFIGURED = [/^src\/devtools\//, /^src\/github\//, /^src\/idp-presets\/entra-groups\.ts$/, /^src\/tracing\/otel\.ts$/, /^src\/cli\/(config-check|demo)\.ts$/];
const BUNDLE = resolve(ROOT, 'dist/bundle');

let dir: string;

beforeAll(async () => {
  await run(process.execPath, [resolve(ROOT, 'scripts/bundle.mjs')], { cwd: ROOT });
  dir = mkdtempSync(join(tmpdir(), 'serve-module-graph-'));
  writeFileSync(join(dir, 'hooks.mjs'), [
    "import { appendFileSync } from 'node:fs';",
    'export async function resolve(specifier, context, next) {',
    '  const r = await next(specifier, context);',
    '  appendFileSync(process.env.MODULE_TRACE_FILE, r.url + "\\n");',
    '  return r;',
    '}',
  ].join('\n'));
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Packages (node_modules names, scoped ones as @scope/name) whose files were resolved or bundled into a loaded chunk, and the gateway's own source files in the loaded chunks. */
function packagesIn(traceFile: string): Set<string> & { own: string[] } {
  const names = new Set<string>() as Set<string> & { own: string[] };
  names.own = [];
  const meta = JSON.parse(readFileSync(join(BUNDLE, 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  const addPath = (path: string) => {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
    if (m?.[1]) names.add(m[1]);
    else if (path.startsWith('src/')) names.own.push(path);
  };
  for (const url of readFileSync(traceFile, 'utf8').split('\n')) {
    if (!url.startsWith('file:')) continue;
    const file = fileURLToPath(url);
    if (file.startsWith(`${BUNDLE}/`)) {
      const chunk = meta.outputs[relative(ROOT, file)];
      if (!chunk) throw new Error(`${file} is not in dist/bundle/meta.json: a stale bundle?`);
      for (const input of Object.keys(chunk.inputs)) addPath(input);
    } else addPath(file);
  }
  return names;
}

/** Runs `serve` until it logs that it listens (or exits), then stops it; returns the packages it loaded. */
async function servePackages(name: string, extraEnv: Record<string, string>, until: 'listening' | 'exit'): Promise<ReturnType<typeof packagesIn>> {
  const trace = join(dir, `${name}.txt`);
  writeFileSync(trace, '');
  const child = spawn(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, BIN, 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      MODULE_TRACE_FILE: trace,
      // IdP and MLflow on a closed port: start-up needs neither.
      MLFLOW_UPSTREAM_URL: 'http://127.0.0.1:9',
      OIDC_ISSUER: 'http://127.0.0.1:9/idp',
      OIDC_CLIENT_ID: 'mlflow-gateway',
      GATEWAY_SECRET: TEST_SECRET,
      GATEWAY_PUBLIC_URL: 'http://127.0.0.1:8080',
      GATEWAY_DATABASE_URL: 'sqlite::memory:',
      GATEWAY_PORT: '0',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  try {
    if (until === 'listening') {
      await new Promise<void>((ok, fail) => {
        const timer = setInterval(() => {
          if (out.includes('"event":"listening"')) ok();
        }, 50);
        void exited.then((code) => {
          clearInterval(timer);
          fail(new Error(`gateway exited ${code} before listening: ${out}`));
        });
        void exited.finally(() => clearInterval(timer));
        setTimeout(() => clearInterval(timer), 60_000);
      });
      child.kill('SIGTERM');
    }
    await exited;
  } finally {
    child.kill('SIGKILL');
  }
  return packagesIn(trace);
}

describe('serve module graph (the bundled production entry, nothing optional configured)', () => {
  it('never loads the demo IdP (oidc-provider), pg, ioredis, GraphQL, the OpenTelemetry SDK, the SCIM libraries, the SAML XML libraries or the GitHub/Entra ID sign-in code', async () => {
    const loaded = await servePackages('plain', {}, 'listening');
    // The trace works: the packages serve always needs are in it, and the gateway's own modules.
    for (const needed of ['fastify', 'kysely', 'better-sqlite3', 'jose', 'openid-client', 'undici']) expect(loaded).toContain(needed);
    expect(loaded.own).toContain('src/server/app.ts');
    expect(NEVER_WHEN_UNCONFIGURED.filter((p) => loaded.has(p))).toEqual([]);
    expect(loaded.own.filter((u) => OWN_NEVER_WHEN_UNCONFIGURED.some((re) => re.test(u)))).toEqual([]);
  });

  it('loads pg once a PostgreSQL store is configured (the trace sees lazily loaded CommonJS packages)', async () => {
    // A closed port: the store cannot be opened and serve exits, after it loaded the driver.
    const loaded = await servePackages('postgres', { GATEWAY_DATABASE_URL: 'postgres://gateway:x@127.0.0.1:9/gateway' }, 'exit');
    expect(loaded).toContain('pg');
    expect(loaded).not.toContain('oidc-provider');
  });
});
