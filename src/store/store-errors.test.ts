import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/index.js';
import { isStoreUnavailable, isUniqueViolation, toStoreError } from './store-errors.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('store errors', () => {
  it('reads unique violations of both drivers as a conflict', () => {
    expect(isUniqueViolation(withCode('duplicate key value violates unique constraint', '23505'))).toBe(true);
    expect(isUniqueViolation(withCode('UNIQUE constraint failed: trust_rules.name', 'SQLITE_CONSTRAINT_UNIQUE'))).toBe(true);
    expect(isUniqueViolation(withCode('FOREIGN KEY constraint failed', 'SQLITE_CONSTRAINT_FOREIGNKEY'))).toBe(false);
    expect(toStoreError(withCode('dup', '23505'))).toMatchObject({ code: 'GW_CONFLICT', status: 409 });
  });

  it('reads a database that cannot be reached as unavailable (503), never as a bug or an answer', () => {
    for (const err of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('sorry, too many clients already', '53300'),
      withCode('connection failure', '08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Query read timeout'),
      new Error('Client has encountered a connection error and is not queryable'),
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''),
      withCode('database is locked', 'SQLITE_BUSY'),
    ]) {
      expect(isStoreUnavailable(err), err.message).toBe(true);
      expect(toStoreError(err)).toMatchObject({ code: 'GW_STORE_UNAVAILABLE', status: 503 });
    }
  });

  it('leaves programming errors and gateway errors alone', () => {
    const syntax = withCode('syntax error at or near "selec"', '42601');
    expect(toStoreError(syntax)).toBe(syntax);
    const gw = new GatewayError('GW_CONFLICT', 'taken');
    expect(toStoreError(gw)).toBe(gw);
    expect(isStoreUnavailable('ECONNREFUSED')).toBe(false);
  });
});
