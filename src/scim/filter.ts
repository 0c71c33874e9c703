// SCIM filters (RFC 7644 §3.4.2.2): parsed by scim2-parse-filter (the grammar: eq ne co sw ew pr
// gt lt ge le, and or not, grouping, attribute paths, value paths `emails[type eq "work"]`),
// evaluated here, because SCIM compares strings case-insensitively unless the attribute is
// caseExact (id, externalId, meta.version…) and dates as instants, which the library's
// evaluator does not.
import type { Filter } from 'scim2-parse-filter';
import { badRequest } from './errors.js';
import { scimLibraries } from './libraries.js';

/** Attributes whose values compare exactly (RFC 7643: caseExact true). Lower-cased paths. */
const CASE_EXACT = new Set(['id', 'externalid', 'meta.version', 'meta.location', 'members.value', 'groups.value', 'members.$ref', 'groups.$ref']);
/** Attributes holding dateTimes: gt/lt/ge/le compare them as instants. */
const DATE_TIMES = new Set(['meta.created', 'meta.lastmodified']);

const MAX_FILTER_LENGTH = 2000;

export type Predicate = (resource: Record<string, unknown>) => boolean;

export async function parseFilter(text: string): Promise<Filter> {
  if (text.length > MAX_FILTER_LENGTH) throw badRequest(`The filter is longer than ${MAX_FILTER_LENGTH} characters`, 'invalidFilter');
  const { parseFilter: parse } = await scimLibraries();
  try {
    return parse(text);
  } catch (err) {
    throw badRequest(`The filter is not valid SCIM filter syntax: ${(err as Error).message.slice(0, 200)}`, 'invalidFilter');
  }
}

export async function compileFilter(text: string): Promise<Predicate> {
  const f = await parseFilter(text);
  return (r) => test(r, f, '');
}

/** Splits `urn:…:User:manager.value` into [schema urn, 'manager', 'value'] and `name.givenName` into its parts. */
export function attrPath(path: string): string[] {
  const i = path.lastIndexOf(':');
  if (i === -1) return path.split('.');
  return [path.slice(0, i), ...path.slice(i + 1).split('.')];
}

function test(r: unknown, f: Filter, prefix: string): boolean {
  switch (f.op) {
    case 'or': return f.filters.some((c) => test(r, c, prefix));
    case 'and': return f.filters.every((c) => test(r, c, prefix));
    case 'not': return !test(r, f.filter, prefix);
    case '[]': {
      const path = attrPath(f.attrPath);
      return values(r, path, false).some((v) => typeof v === 'object' && v !== null && test(v, f.valFilter, `${prefix}${path.at(-1)!.toLowerCase()}.`));
    }
    case 'pr': {
      const vs = values(r, attrPath(f.attrPath));
      return vs.some((v) => v !== null && v !== '' && !(Array.isArray(v) && v.length === 0));
    }
    default: {
      const path = attrPath(f.attrPath);
      const name = `${prefix}${path.filter((p) => !p.includes(':')).join('.').toLowerCase()}`;
      const vs = values(r, path);
      // ne: true when no value equals (a missing attribute is "not equal").
      if (f.op === 'ne') return !vs.some((v) => compare('eq', v, f.compValue, name));
      return vs.some((v) => compare(f.op, v, f.compValue, name));
    }
  }
}

/** Every value at a path: arrays fan out (multi-valued attributes match if any value does); names are case-insensitive. */
function values(r: unknown, path: readonly string[], unwrap = true): unknown[] {
  if (path.length === 0) return Array.isArray(r) ? r : [r];
  if (Array.isArray(r)) return r.flatMap((item) => values(item, path, unwrap));
  if (typeof r !== 'object' || r === null) return [];
  const want = path[0]!.toLowerCase();
  const key = Object.keys(r).find((k) => k.toLowerCase() === want);
  if (key === undefined) return [];
  const next = (r as Record<string, unknown>)[key];
  // A multi-valued complex attribute compared without a sub-attribute compares its `value`s (emails co "@x").
  if (unwrap && path.length === 1 && Array.isArray(next)) return next.map((v) => (typeof v === 'object' && v !== null && 'value' in v ? (v as { value: unknown }).value : v));
  return values(next, path.slice(1), unwrap);
}

function compare(op: string, actual: unknown, expected: boolean | null | number | string, name: string): boolean {
  if (expected === null) return op === 'eq' ? actual === null || actual === undefined : false;
  if (typeof expected === 'boolean') return op === 'eq' && actual === expected;
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return false;
    return ordered(op, actual - expected);
  }
  if (typeof actual !== 'string') return false;
  if (DATE_TIMES.has(name) && ['gt', 'lt', 'ge', 'le', 'eq'].includes(op)) {
    const a = Date.parse(actual);
    const e = Date.parse(expected);
    if (Number.isNaN(e)) throw badRequest(`${expected.slice(0, 60)} is not a dateTime`, 'invalidFilter');
    return !Number.isNaN(a) && ordered(op, a - e);
  }
  const exact = CASE_EXACT.has(name);
  const a = exact ? actual : actual.toLowerCase();
  const e = exact ? expected : expected.toLowerCase();
  switch (op) {
    case 'eq': return a === e;
    case 'co': return a.includes(e);
    case 'sw': return a.startsWith(e);
    case 'ew': return a.endsWith(e);
    default: return ordered(op, a < e ? -1 : a > e ? 1 : 0);
  }
}

function ordered(op: string, diff: number): boolean {
  switch (op) {
    case 'eq': return diff === 0;
    case 'gt': return diff > 0;
    case 'lt': return diff < 0;
    case 'ge': return diff >= 0;
    case 'le': return diff <= 0;
    default: return false;
  }
}
