import { describe, expect, it } from 'vitest';
import { parseSourceUrl } from './source-db.js';

describe('parseSourceUrl: database URLs as the old products write them', () => {
  it('reads SQLAlchemy SQLite URLs (relative, absolute) and plain paths', () => {
    expect(parseSourceUrl('sqlite:///basic_auth.db')).toEqual({ kind: 'sqlite', path: 'basic_auth.db' });
    expect(parseSourceUrl('sqlite:////var/lib/mlflow/auth.db')).toEqual({ kind: 'sqlite', path: '/var/lib/mlflow/auth.db' });
    expect(parseSourceUrl('sqlite:auth.db')).toEqual({ kind: 'sqlite', path: 'auth.db' });
    expect(parseSourceUrl('/tmp/auth.db')).toEqual({ kind: 'sqlite', path: '/tmp/auth.db' });
  });
  it('reads PostgreSQL URLs with or without a SQLAlchemy driver', () => {
    expect(parseSourceUrl('postgresql+psycopg2://u:p@db:5432/auth')).toEqual({ kind: 'postgres', url: 'postgres://u:p@db:5432/auth' });
    expect(parseSourceUrl('postgresql://u@db/auth')).toEqual({ kind: 'postgres', url: 'postgres://u@db/auth' });
    expect(parseSourceUrl('postgres://db/auth')).toEqual({ kind: 'postgres', url: 'postgres://db/auth' });
  });
  it('refuses other databases without echoing a password', () => {
    expect(() => parseSourceUrl('mysql://root:hunter2@db/auth')).toThrow(/Unsupported database URL/);
    expect(() => parseSourceUrl('mysql://root:hunter2@db/auth')).not.toThrow(/hunter2/);
    expect(() => parseSourceUrl('sqlite:///:memory:')).toThrow(/in-memory/);
  });
});
