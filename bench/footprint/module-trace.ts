import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// Which modules `serve` (compiled dist/, default settings) resolves until it listens, in the order
// it resolves them: a module-resolution hook (node:module register) appends every resolved URL
// to a file. CommonJS files that packages require() internally are not seen (only what ESM
// imports resolve, including the entry of a CommonJS package), so a package's cost includes its
// CommonJS dependencies.

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = resolve(ROOT, 'bin/mlflow-oidc-gateway.js');

const HOOKS = [
  "import { appendFileSync } from 'node:fs';",
  'export async function resolve(specifier, context, next) {',
  '  const r = await next(specifier, context);',
  '  appendFileSync(process.env.MODULE_TRACE_FILE, r.url + "\\t" + (context.parentURL ?? "") + "\\n");',
  '  return r;',
  '}',
].join('\n');

/** Environment of a `serve` with nothing optional configured; IdP and MLflow on a closed port. */
export function plainServeEnv(storeUrl = 'sqlite::memory:'): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    MLFLOW_UPSTREAM_URL: 'http://127.0.0.1:9',
    OIDC_ISSUER: 'http://127.0.0.1:9/idp',
    OIDC_CLIENT_ID: 'mlflow-gateway',
    GATEWAY_SECRET: 'footprint-secret-0123456789-abcdefghijklmnopqrstuv',
    GATEWAY_PUBLIC_URL: 'http://127.0.0.1:8080',
    GATEWAY_DATABASE_URL: storeUrl,
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: '0',
  };
}

export interface ModuleTrace {
  /** Unique resolved URLs (file: and node:), first resolution first. */
  readonly urls: string[];
  /** Importer → the URLs it resolved (static and dynamic imports). */
  readonly imports: Map<string, string[]>;
}

export async function traceServeModules(env: Record<string, string> = plainServeEnv(), timeoutMs = 120_000): Promise<ModuleTrace> {
  const dir = mkdtempSync(join(tmpdir(), 'serve-module-trace-'));
  try {
    writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
    const trace = join(dir, 'trace.txt');
    writeFileSync(trace, '');
    const child = spawn(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, BIN, 'serve'], {
      cwd: ROOT, env: { ...env, MODULE_TRACE_FILE: trace }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      await new Promise<void>((ok, fail) => {
        let out = '';
        const timer = setTimeout(() => fail(new Error('serve did not listen in time')), timeoutMs);
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('"event":"listening"')) {
            clearTimeout(timer);
            ok();
          }
        });
        void exited.then(() => fail(new Error(`serve exited before listening: ${out.slice(0, 2000)}`)));
      });
    } finally {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      child.kill('SIGKILL');
    }
    const urls = new Set<string>();
    const imports = new Map<string, string[]>();
    for (const line of readFileSync(trace, 'utf8').split('\n')) {
      const [url, parent] = line.split('\t');
      if (!url) continue;
      urls.add(url);
      if (parent) {
        const list = imports.get(parent) ?? [];
        if (!list.includes(url)) list.push(url);
        imports.set(parent, list);
      }
    }
    return { urls: [...urls], imports };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The node_modules package a URL belongs to (`@scope/name` for scoped ones), undefined otherwise. */
export function packageOf(url: string): string | undefined {
  return /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
}
