#!/usr/bin/env node
// Entry point of the published package and the container image: runs the compiled CLI (dist/, made by
// `npm run build`) on plain Node, without tsx — it starts in about half the time. `npm start` and
// `npm run demo` run the TypeScript sources through tsx instead, for development.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('mlflow-oidc-gateway: dist/ is missing; run `npm run build` first (or `npm start` to run the sources with tsx).\n');
  process.exit(1);
}
await import(main.href);
