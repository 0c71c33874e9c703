// The old product's database, opened read-only: SQLite files and PostgreSQL, named by the URL its
// own configuration holds. SQLAlchemy-style URLs are accepted as they are written there
// (`sqlite:///relative.db`, `sqlite:////abs/path.db`, `postgresql+psycopg2://…`), so the value can
// be copied from basic_auth.ini or OIDC_USERS_DB_URI unchanged.
import { existsSync } from 'node:fs';
import { GatewayError } from '../errors/index.js';

export type Row = Record<string, unknown>;

export interface SourceDb {
  readonly kind: 'sqlite' | 'postgres';
  /** Names of the tables in the database (lower case). */
  tables(): Promise<Set<string>>;
  /** All rows of a table (the importers read small tables whole). */
  rows(table: string): Promise<Row[]>;
  close(): Promise<void>;
}

export type SourceUrl = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export function parseSourceUrl(raw: string): SourceUrl {
  const url = raw.trim();
  const sqlite = /^sqlite(?:\+\w+)?:(.*)$/i.exec(url);
  if (sqlite) {
    // SQLAlchemy: sqlite:///relative/path and sqlite:////absolute/path; also sqlite:path.
    const rest = sqlite[1]!;
    const path = rest.startsWith('///') ? rest.slice(3) : rest.startsWith('//') ? rest.slice(2) : rest;
    if (path === '' || path === ':memory:') throw new GatewayError('GW_BAD_REQUEST', 'An in-memory SQLite database has nothing to import; give the file of the old database');
    return { kind: 'sqlite', path: path.split('?')[0]! };
  }
  const pg = /^postgres(?:ql)?(?:\+[\w-]+)?:\/\/(.*)$/i.exec(url);
  if (pg) return { kind: 'postgres', url: `postgres://${pg[1]}` };
  if (!url.includes('://')) return { kind: 'sqlite', path: url };
  throw new GatewayError('GW_BAD_REQUEST', `Unsupported database URL ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//…@'))}: use a SQLite file (sqlite:///path.db) or PostgreSQL (postgresql://…)`);
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function openSourceDb(raw: string): Promise<SourceDb> {
  const source = parseSourceUrl(raw);
  if (source.kind === 'sqlite') {
    if (!existsSync(source.path)) throw new GatewayError('GW_BAD_REQUEST', `No database file at ${source.path}`);
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(source.path, { readonly: true, fileMustExist: true });
    return {
      kind: 'sqlite',
      async tables() {
        const names = db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[];
        return new Set(names.map((n) => n.name.toLowerCase()));
      },
      async rows(table) {
        if (!IDENT.test(table)) throw new Error(`bad table name ${table}`);
        return db.prepare(`select * from "${table}"`).all() as Row[];
      },
      async close() {
        db.close();
      },
    };
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: source.url });
  await client.connect();
  // Read-only for the whole session: the importer never writes to the old product's database.
  await client.query('set session characteristics as transaction read only');
  return {
    kind: 'postgres',
    async tables() {
      const r = await client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = current_schema()");
      return new Set(r.rows.map((x) => x.table_name.toLowerCase()));
    },
    async rows(table) {
      if (!IDENT.test(table)) throw new Error(`bad table name ${table}`);
      return (await client.query(`select * from "${table}"`)).rows as Row[];
    },
    async close() {
      await client.end();
    },
  };
}
