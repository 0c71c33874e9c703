import { describe, expect, it } from 'vitest';
import { formatToken, hashSecret, newTokenId, newTokenSecret, parseToken, secretMatches } from './format.js';

describe('personal access token format', () => {
  it('round-trips id and secret through the mog_ form', () => {
    const id = newTokenId();
    const secret = newTokenSecret();
    const token = formatToken(id, secret);
    expect(token).toMatch(/^mog_[0-9A-Za-z]{12}_[0-9A-Za-z]{43}$/);
    expect(parseToken(token)).toEqual({ id, secret });
  });

  it('refuses anything not exactly shaped like a token', () => {
    const good = formatToken(newTokenId(), newTokenSecret());
    for (const bad of ['', 'mog_', good.slice(0, -1), `${good}x`, good.replace('mog_', 'mo_'), `${good.slice(0, 17)}-${good.slice(18)}`, ` ${good}`]) {
      expect(parseToken(bad), bad).toBeUndefined();
    }
  });

  it('compares secrets by hash in constant time', () => {
    const secret = newTokenSecret();
    expect(secretMatches(secret, hashSecret(secret))).toBe(true);
    // The last character changed to another one (a fixed 'x' failed whenever the secret ended in x: 1 run in 64).
    const last = secret.slice(-1);
    expect(secretMatches(`${secret.slice(0, -1)}${last === 'x' ? 'y' : 'x'}`, hashSecret(secret))).toBe(false);
    expect(secretMatches(secret, Buffer.alloc(3))).toBe(false);
  });
});
