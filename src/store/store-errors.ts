import { GatewayError } from '../errors/index.js';
import type { Store } from './types.js';

// Driver errors become gateway errors at the store boundary, the same for SQLite and PostgreSQL:
// a unique violation is a conflict (409), a store that cannot be reached is 503 — the request
// fails closed and the next one tries again (pg's pool reconnects by itself). Anything else stays
// an internal error (a bug, not an outage).

/** PostgreSQL SQLSTATEs and classes that mean "the database is not reachable right now". */
const PG_UNAVAILABLE_CLASSES = ['08', '53', '57P']; // connection exception, insufficient resources, operator intervention
const PG_UNAVAILABLE_CODES = new Set(['40P01', '55P03', '57014']); // deadlock, lock not available, statement timeout
const SYSTEM_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
const SQLITE_UNAVAILABLE = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_CANTOPEN']);
/** pg reports a lost or refused connection by message only. */
const PG_CONNECTION_MESSAGES = /Connection terminated|not queryable|timeout exceeded when trying to connect|Connection ended|Query read timeout|the database system is (starting up|shutting down|in recovery mode)/i;

export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isStoreUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SYSTEM_UNAVAILABLE.has(code) || PG_UNAVAILABLE_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && PG_UNAVAILABLE_CLASSES.some((c) => code.startsWith(c))) return true;
    if (SQLITE_UNAVAILABLE.has(code.replace(/^(SQLITE_[A-Z]+)_.*$/, '$1'))) return true;
  }
  // Several connection attempts at once fail together (AggregateError from net.connect).
  if (err instanceof AggregateError && err.errors.some(isStoreUnavailable)) return true;
  return PG_CONNECTION_MESSAGES.test(err.message);
}

/** The gateway error a driver error stands for (the driver's message stays in the log only). */
export function toStoreError(err: unknown): unknown {
  if (err instanceof GatewayError) return err;
  if (isUniqueViolation(err)) {
    return new GatewayError('GW_CONFLICT', 'The object already exists or was changed concurrently; reload and try again', { cause: err, detail: (err as Error).message });
  }
  if (isStoreUnavailable(err)) {
    return new GatewayError('GW_STORE_UNAVAILABLE', 'The gateway store is unavailable; try again shortly', {
      cause: err, detail: (err as Error).message, headers: { 'retry-after': '2' },
    });
  }
  return err;
}

type AnyFn = (...args: unknown[]) => Promise<unknown>;

function guardFns<T extends object>(part: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(part)) {
    out[key] = typeof value === 'function'
      ? async (...args: unknown[]) => {
        try {
          return await (value as AnyFn).apply(part, args);
        } catch (err) {
          throw toStoreError(err);
        }
      }
      : value;
  }
  return out as T;
}

/** Every method of every part of the store, with driver errors mapped by `toStoreError`. */
export function withStoreErrors(store: Store): Store {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(store)) {
    out[key] = typeof value === 'object' && value !== null ? guardFns(value as object) : value;
  }
  return guardFns(out as unknown as Store);
}
