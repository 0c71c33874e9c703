// The gateway under test, in its own process (started by gateway-process.ts with
// `node --import tsx`; the gateway's own modules are the bundle in dist/bundle/ that users run, built at
// the start of the run — BENCH_GATEWAY_BUILD=tree runs tsc's module tree in dist/ instead, =src the
// TypeScript sources), so that its CPU time, RSS and event loop are its own and not the load
// generator's or the orchestrator's. Configured from the environment exactly like `serve`;
// logs go to stdout (the parent sends them to a file). Talks to the parent over IPC:
//   → { op: 'ready', url, timings }                          once listening
//   ← { op: 'grant', id, username, resourceType, resourceId, level }   → { op: 'done', id, error? }
//   ← { op: 'stop', id }                                      → closes, exits 0 (writes --cpu-prof)
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';

interface Command {
  op: string;
  id: number;
  username?: string;
  resourceType?: string;
  resourceId?: string;
  level?: string;
}

async function main(): Promise<void> {
  const booted = performance.now(); // node + tsx start-up, measured from process start
  // The bundle is what users run; tsx then only loads this file (tsx costs start-up time, nothing per request).
  const build = process.env.BENCH_GATEWAY_BUILD;
  const [{ loadConfig }, { buildServer }] = (await Promise.all([
    import(build === 'src' ? '../../src/config/index.js' : build === 'tree' ? '../../dist/config/index.js' : '../../dist/bundle/config.js'),
    import(build === 'src' ? '../../src/server/app.js' : build === 'tree' ? '../../dist/server/app.js' : '../../dist/bundle/app.js'),
  ])) as [typeof import('../../src/config/index.js'), typeof import('../../src/server/app.js')];
  const imported = performance.now();
  const loaded = loadConfig(process.env);
  if (!loaded.ok) throw new Error(`gateway config invalid: ${JSON.stringify(loaded.problems)}`);
  const server = await buildServer(loaded.config);
  const built = performance.now();
  const url = await server.listen();
  const listening = performance.now();
  const store = server.gateway.store;

  const send = (msg: unknown) => process.send?.(msg);
  // BENCH_HEAP_PROFILE=<file>: V8's sampling heap profiler, keeping objects already collected, so the
  // profile is where the serving path allocates (the garbage the collector then spends time on).
  const heapProfile = process.env.BENCH_HEAP_PROFILE ? await startHeapSampling() : undefined;
  process.on('message', (raw: unknown) => {
    const cmd = raw as Command;
    void (async () => {
      try {
        if (cmd.op === 'grant') {
          const user = await store.users.getByUsername(cmd.username ?? '');
          if (!user) throw new Error(`user ${cmd.username} is not in the gateway store yet (it appears after its first call)`);
          await store.grants.set({
            principalType: 'user', principal: user.id,
            resourceType: cmd.resourceType as never, resourceId: String(cmd.resourceId), level: cmd.level as never,
          });
          send({ op: 'done', id: cmd.id });
        } else if (cmd.op === 'stop') {
          if (heapProfile) writeFileSync(process.env.BENCH_HEAP_PROFILE!, JSON.stringify(await heapProfile()));
          await server.close();
          send({ op: 'done', id: cmd.id });
          process.exit(0);
        } else {
          send({ op: 'done', id: cmd.id, error: `unknown op ${cmd.op}` });
        }
      } catch (err) {
        send({ op: 'done', id: cmd.id, error: (err as Error).message });
      }
    })();
  });
  process.on('disconnect', () => void server.close().finally(() => process.exit(0)));
  send({ op: 'ready', url, timings: { bootMs: booted, importMs: imported - booted, buildMs: built - imported, listenMs: listening - built, totalMs: listening } });
}

async function startHeapSampling(): Promise<() => Promise<unknown>> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return async () => (await session.post('HeapProfiler.stopSampling')).profile;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
