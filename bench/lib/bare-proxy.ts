import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChildServer, type ChildServer } from './child-server.js';
import { imageNodeOptions } from './image-node-options.js';

// Parent side of bare-proxy-child.ts: the same HTTP stack as the gateway, forwarding with no
// authentication or authorization (the ceiling scenario's baseline for CPU per request).

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function startBareProxy(upstreamUrl: string): Promise<ChildServer> {
  return startChildServer(join(ROOT, 'bench/lib/bare-proxy-child.ts'), { BENCH_UPSTREAM_URL: upstreamUrl, NODE_ENV: 'production', NODE_OPTIONS: imageNodeOptions() }, 'bare proxy');
}
