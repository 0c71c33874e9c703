import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeToken, encodeToken, MAX_TOKEN_LENGTH } from './continuation.js';

const key = randomBytes(32);
const otherKey = randomBytes(32);
const state = { upstreamToken: 'eyJvZmZzZXQiOiAxMDB9', skip: 17, batchSize: 100 };

/** Flips one character of the token to another base64url character. */
function flip(token: string, at: number): string {
  const c = token[at]!;
  const repl = c === 'A' ? 'B' : 'A';
  return token.slice(0, at) + repl + token.slice(at + 1);
}

describe('continuation tokens', () => {
  it('round-trips a state', () => {
    const token = encodeToken(key, state);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(decodeToken(key, token)).toEqual(state);
  });

  it('round-trips arbitrary JSON objects (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (s) => {
        const decoded = decodeToken(key, encodeToken(key, s));
        expect(decoded).toEqual(JSON.parse(JSON.stringify(s)));
      }),
    );
  });

  it('drops undefined members, as JSON does (a first-page upstream token is simply absent)', () => {
    expect(decodeToken(key, encodeToken(key, { upstreamToken: undefined, skip: 0, batchSize: 100 }))).toEqual({ skip: 0, batchSize: 100 });
  });

  it('rejects a token with any single character changed', () => {
    const token = encodeToken(key, state);
    for (let i = 0; i < token.length; i++) {
      if (token[i] === '.') continue;
      expect(decodeToken(key, flip(token, i)), `position ${i}`).toBeUndefined();
    }
  });

  it('rejects a re-signed payload with forged offsets (payload of one token, MAC of another)', () => {
    const good = encodeToken(key, state);
    const forged = encodeToken(otherKey, { ...state, skip: 0 });
    expect(decodeToken(key, `${forged.split('.')[0]}.${good.split('.')[1]}`)).toBeUndefined();
    // And a hand-made payload with a truncated or extended MAC.
    const [p, m] = good.split('.') as [string, string];
    expect(decodeToken(key, `${p}.${m.slice(0, -2)}`)).toBeUndefined();
    expect(decodeToken(key, `${p}.${m}AA`)).toBeUndefined();
  });

  it('rejects a token signed with another key', () => {
    expect(decodeToken(otherKey, encodeToken(key, state))).toBeUndefined();
  });

  it('binds a token to its context', () => {
    const token = encodeToken(key, state, 'experiments|alice');
    expect(decodeToken(key, token, 'experiments|alice')).toEqual(state);
    expect(decodeToken(key, token, 'experiments|bob')).toBeUndefined();
    expect(decodeToken(key, token)).toBeUndefined();
    expect(decodeToken(key, encodeToken(key, state), 'experiments|alice')).toBeUndefined();
  });

  it('rejects garbage', () => {
    const garbage = ['', '.', 'abc', 'abc.', '.abc', 'a.b.c', 'eyJvZmZzZXQiOiAxfQ==', '!!!.???', `${'A'.repeat(MAX_TOKEN_LENGTH)}.AA`, 'null.null'];
    for (const g of garbage) expect(decodeToken(key, g), JSON.stringify(g)).toBeUndefined();
    fc.assert(fc.property(fc.string(), (s) => decodeToken(key, s) === undefined));
  });

  it('rejects validly signed tokens of another version or shape', () => {
    // Sign envelopes exactly as the documented format says, to reach the checks behind the MAC.
    const sign = (envelope: unknown): string => {
      const payload = Buffer.from(JSON.stringify(envelope), 'utf8').toString('base64url');
      const mac = createHmac('sha256', key).update('mlflow-oidc-gateway/page-token\u0000').update(payload, 'ascii').digest('base64url');
      return `${payload}.${mac}`;
    };
    expect(decodeToken(key, sign({ v: 1, s: state }))).toEqual(state); // the helper matches the format
    expect(decodeToken(key, sign({ v: 2, s: state }))).toBeUndefined();
    expect(decodeToken(key, sign({ s: state }))).toBeUndefined();
    expect(decodeToken(key, sign({ v: 1, s: null }))).toBeUndefined();
    expect(decodeToken(key, sign({ v: 1, s: 'x' }))).toBeUndefined();
    expect(decodeToken(key, sign({ v: 1, s: [1] }))).toBeUndefined();
    expect(decodeToken(key, sign([1, 2]))).toBeUndefined();
    expect(decodeToken(key, sign(null))).toBeUndefined();
    expect(decodeToken(key, encodeToken(key, [1, 2, 3]))).toBeUndefined();
  });

  it('refuses weak keys', () => {
    expect(() => encodeToken(Buffer.alloc(4), state)).toThrow(/at least 16 bytes/);
  });
});
