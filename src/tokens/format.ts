import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

// Personal access tokens look like `mog_<id>_<secret>`: a fixed prefix secret scanners can match
// (GitHub-style), a 12-character public id (the row key, safe to show in lists and logs) and a
// 43-character secret (~256 bits). Both parts are base62 so the token survives any URL, header,
// shell or YAML without quoting, and the fixed lengths make parsing unambiguous.

export const TOKEN_PREFIX = 'mog_';
const ID_LENGTH = 12;
const SECRET_LENGTH = 43;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SHAPE = new RegExp(`^${TOKEN_PREFIX}([0-9A-Za-z]{${ID_LENGTH}})_([0-9A-Za-z]{${SECRET_LENGTH}})$`);

function base62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

export function newTokenId(): string {
  return base62(ID_LENGTH);
}

export function newTokenSecret(): string {
  return base62(SECRET_LENGTH);
}

export function formatToken(id: string, secret: string): string {
  return `${TOKEN_PREFIX}${id}_${secret}`;
}

/** The token's parts, or undefined when the string is not shaped like one of ours. */
export function parseToken(token: string): { id: string; secret: string } | undefined {
  const m = SHAPE.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

export function looksLikeToken(credential: string): boolean {
  return credential.startsWith(TOKEN_PREFIX);
}

/** The secret is random and long, so a plain SHA-256 is enough (no password stretching needed). */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const actual = hashSecret(secret);
  return actual.length === storedHash.length && timingSafeEqual(actual, storedHash);
}
