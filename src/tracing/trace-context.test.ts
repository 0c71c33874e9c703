import { describe, expect, it } from 'vitest';
import { formatTraceparent, isSampled, parseTraceparent, parseTracestate } from './trace-context.js';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('traceparent', () => {
  it('accepts a valid version-00 header', () => {
    expect(parseTraceparent(VALID)).toEqual({ version: '00', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentId: '00f067aa0ba902b7', flags: '01' });
    expect(isSampled('01')).toBe(true);
    expect(isSampled('00')).toBe(false);
  });
  it.each([
    ['upper-case hex', VALID.toUpperCase()],
    ['version ff', VALID.replace(/^00/, 'ff')],
    ['all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['all-zero parent id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
    ['short trace id', '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01'],
    ['extra field on version 00', `${VALID}-extra`],
    ['garbage', 'hello'],
    ['injection', `${VALID}\r\nx-forwarded-user: admin`],
    ['two header lines', [VALID, VALID]],
  ])('drops %s', (_what, value) => {
    expect(parseTraceparent(value as string)).toBeUndefined();
  });
  it('keeps the known fields of a future version', () => {
    expect(parseTraceparent(`01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future`)?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });
  it('formats a child traceparent', () => {
    expect(formatTraceparent('4bf92f3577b34da6a3ce929d0e0e4736', '1111111111111111', true)).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-1111111111111111-01');
  });
});

describe('tracestate', () => {
  it('accepts valid list members, joined from several header lines', () => {
    expect(parseTracestate('rojo=00f067aa0ba902b7, congo=t61rcWkgMzE')).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    expect(parseTracestate(['a=1', 'tenant@vendor=x'])).toBe('a=1,tenant@vendor=x');
  });
  it.each([
    ['a bad key', 'Rojo=1'],
    ['no value separator', 'rojo'],
    ['a duplicate key', 'a=1,a=2'],
    ['a control character', 'a=1\u0001'],
    ['too many members', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')],
    ['too long', `a=${'x'.repeat(600)}`],
  ])('drops %s', (_what, value) => {
    expect(parseTracestate(value)).toBeUndefined();
  });
});
