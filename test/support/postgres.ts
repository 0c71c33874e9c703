// A throwaway PostgreSQL server for one test file: Debian's binaries, a fresh data directory in
// /tmp, 127.0.0.1 on a free port, its unix socket inside the data directory, fsync off. Later fault
// tests kill (SIGKILL) and restart it on the same port and data.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/devtools/mlflow.js';

export interface PostgresServer {
  /** Superuser URL of the `postgres` maintenance database. */
  readonly url: string;
  readonly port: number;
  /** A new empty database; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Clean shutdown; removes the data directory. */
  stop(): Promise<void>;
  /** SIGKILL to the postmaster and every backend at once (a crash, as far as clients can tell). */
  kill(): Promise<void>;
  /** SIGSTOP to the postmaster and every backend: connections stay open but nothing answers (a hung server). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Start again on the same port and data directory (after kill or a crash: with recovery). */
  restart(): Promise<void>;
}

const SUPERUSER = 'gateway';

/** The directory holding initdb and postgres: `pg_config --bindir`, else the newest /usr/lib/postgresql/<v>/bin. */
export function postgresBinDir(): string | undefined {
  const fromEnv = process.env.POSTGRES_BINDIR;
  if (fromEnv) return existsSync(join(fromEnv, 'postgres')) ? fromEnv : undefined;
  const cfg = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const bin = cfg.status === 0 ? cfg.stdout.trim() : '';
  if (bin && existsSync(join(bin, 'postgres')) && existsSync(join(bin, 'initdb'))) return bin;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const dir = join(root, v, 'bin');
    if (existsSync(join(dir, 'postgres')) && existsSync(join(dir, 'initdb'))) return dir;
  }
  return undefined;
}

/**
 * Whether PostgreSQL tests can run. Absent binaries skip the tests with a visible message locally;
 * under CI (CI=1, set by .ci/run) they fail instead, so CI never passes by skipping.
 */
export function postgresAvailable(): boolean {
  if (postgresBinDir()) return true;
  const why = 'PostgreSQL binaries not found (pg_config --bindir, /usr/lib/postgresql/*/bin); install Debian\'s postgresql package';
  if (process.env.CI) throw new Error(`${why}: PostgreSQL tests must run under CI`);
  console.warn(`[skip] ${why}; skipping PostgreSQL tests`);
  return false;
}

/** Root cannot run postgres: the server then runs as the `postgres` OS user (setpriv execs, so the pid is the postmaster's). */
function asServerUser(): { prefix: string[]; uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const id = (flag: string) => {
    const r = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error('running as root needs a `postgres` OS user to run the PostgreSQL server');
    return Number(r.stdout.trim());
  };
  return { prefix: ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--'], uid: id('-u'), gid: id('-g') };
}

function run(prefix: string[], cmd: string, args: string[], cwd: string): void {
  const [file, ...rest] = [...prefix, cmd, ...args];
  const r = spawnSync(file!, rest, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} exited ${r.status}: ${r.stderr || r.stdout}`);
}

async function waitReady(url: string, child: ChildProcess, log: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited during start-up:\n${log()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within ${timeoutMs} ms:\n${log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Direct children of a process (the postmaster's backends and auxiliary processes), from /proc. */
function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) kids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return kids;
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL binaries not found');
  const user = asServerUser();
  const dir = mkdtempSync(join(tmpdir(), 'gw-pg-'));
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid!);
  const data = join(dir, 'data');
  run(user.prefix, join(bin, 'initdb'), ['-D', data, '-U', SUPERUSER, '--auth=trust', '--no-locale', '-E', 'UTF8', '--no-sync'], dir);
  const port = await freePort();
  const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
  // synchronous_commit stays on: the fault tests SIGKILL the server, and an asynchronous commit
  // (a session signed in just before) would be lost with it — a loss no real deployment has.
  const args = [
    '-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`,
    '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
    '-c', 'shared_buffers=32MB', '-c', 'log_min_messages=warning',
  ];
  let child: ChildProcess | undefined;
  let output = '';
  /**
   * Signals the postmaster, then its children. Each backend makes itself a process-group leader
   * (setsid), so a group signal would reach the postmaster only. Postmaster first: it forks no new
   * child after SIGSTOP/SIGKILL.
   */
  const signalServer = (signal: NodeJS.Signals) => {
    const pid = child?.pid;
    if (pid === undefined || child!.exitCode !== null || child!.signalCode !== null) return;
    const kids = childrenOf(pid);
    for (const p of [pid, ...kids]) {
      try {
        process.kill(p, signal);
      } catch {
        // already gone
      }
    }
  };
  const killGroup = () => signalServer('SIGKILL');
  // A test process that ends without stop() must not leave a server (or its data) behind. Test
  // workers are often ended by a signal ('exit' never fires), so a watchdog outside this process
  // waits for it to go, then kills the current postmaster and its children and removes the data.
  const watchdog = spawn('sh', ['-c', [
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done`,
    `pm=$(head -n 1 '${data}/postmaster.pid' 2>/dev/null) && [ -n "$pm" ] && kill -9 "$pm" $(pgrep -P "$pm") 2>/dev/null`,
    `sleep 1; rm -rf '${dir}'`,
  ].join('; ')], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  const onExit = () => killGroup();
  process.once('exit', onExit);

  async function start(): Promise<void> {
    const [file, ...rest] = [...user.prefix, join(bin!, 'postgres'), ...args];
    output = '';
    child = spawn(file!, rest, { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (b: Buffer) => void (output = (output + b.toString('utf8')).slice(-8000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await waitReady(url, child, () => output);
  }
  await start();

  let n = 0;
  return {
    url, port,
    async createDatabase(name = `gw_${process.pid}_${++n}_${Math.random().toString(36).slice(2, 8)}`) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://${SUPERUSER}@127.0.0.1:${port}/${name}`;
    },
    pause: () => signalServer('SIGSTOP'),
    resume: () => signalServer('SIGCONT'),
    async kill() {
      const c = child;
      killGroup();
      if (c) await exited(c);
    },
    async restart() {
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        c.kill('SIGINT'); // fast shutdown
        await exited(c);
      }
      await start();
    },
    async stop() {
      const c = child;
      if (c && c.exitCode === null && c.signalCode === null) {
        signalServer('SIGCONT'); // a paused server would not hear the shutdown request
        c.kill('SIGINT');
        const timer = setTimeout(killGroup, 10_000);
        await exited(c);
        clearTimeout(timer);
      }
      process.removeListener('exit', onExit);
      watchdog.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
