#!/usr/bin/env node
// Entry point of the published package and the container image: runs the bundled CLI (dist/bundle/, made
// by `npm run build`: scripts/bundle.mjs) on plain Node, without tsx. One bundle instead of ~2,000 ES
// modules starts faster and stays smaller (docs/benchmarks.md, "Footprint"). `npm start` and
// `npm run demo` run the TypeScript sources through tsx instead, for development.
import { existsSync } from 'node:fs';

const main = new URL('../dist/bundle/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('mlflow-oidc-gateway: dist/bundle/ is missing; run `npm run build` first (or `npm start` to run the sources with tsx).\n');
  process.exit(1);
}
await import(main.href);
