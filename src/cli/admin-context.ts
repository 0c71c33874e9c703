// What the admin commands (grants, patterns, explain) share: the configured store, opened for the
// length of one command, and the audit identity of whoever runs it. The CLI works on the store
// directly — whoever can run it with the gateway's configuration can already read the database —
// so it acts with administrator rights; every change is still audited and logged.
import { userInfo } from 'node:os';
import type { ChangeContext } from '../admin/changes.js';
import type { Config } from '../config/index.js';
import type { InvalidationBus } from '../cache/bus.js';
import { withInvalidation } from '../cache/publishing-store.js';
import type { Store } from '../store/index.js';
import { loadConfigOrExit } from './load-or-exit.js';

export interface AdminContext {
  readonly config: Config;
  readonly store: Store;
  readonly changes: ChangeContext;
}

/** Runs `fn` with the store of GATEWAY_DATABASE_URL, and closes it whatever happens. */
export async function withAdminContext<T>(configFile: string | undefined, fn: (cx: AdminContext) => Promise<T>): Promise<T> {
  const { config } = loadConfigOrExit(process.env, configFile);
  // Loaded here, not at the top: every CLI command registers these commands, and only they need
  // the database driver and the logger (keeps `config check` and `--help` quick).
  // pino is CommonJS: its module object is the default export (a bundled dynamic import has no named ones).
  const [{ openStore }, { default: pino }, { loggerOptions }] = await Promise.all([import('../store/index.js'), import('pino'), import('../server/logger.js')]);
  const opened = await openStore(config.databaseUrl, { poolSize: config.databasePoolSize });
  // Log lines go to stderr so stdout stays the command's output (tables or --json).
  const log = pino(loggerOptions(config.logLevel), pino.destination({ dest: 2, sync: true }));
  // Running gateways cache grants, tokens and users: changes made here are announced to them like
  // their own (Redis or PostgreSQL). With SQLite they notice the file changed by themselves.
  const bus = config.redisUrl !== undefined || opened.kind === 'postgres' ? await openBus(config, opened, log) : undefined;
  const store = bus ? withInvalidation(opened, bus) : opened;
  try {
    return await fn({ config, store, changes: { store, log, actor: `cli:${osUser()}`, requestId: null, clientIp: null } });
  } finally {
    await bus?.close();
    await opened.close();
  }
}

async function openBus(config: Config, store: Store, log: { info(o: object, m: string): void; warn(o: object, m: string): void }): Promise<InvalidationBus> {
  const { openInvalidationBus } = await import('../cache/open-bus.js');
  const bus = await openInvalidationBus(config, store, log);
  if (!bus.connected) log.warn({ event: 'cache.cli_unannounced' }, `changes are not announced to running gateways (${bus.kind} unreachable); they apply there within GATEWAY_CACHE_TTL`);
  return bus;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown'; // no passwd entry (some containers): still recognisably a CLI change
  }
}
