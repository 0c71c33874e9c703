import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// Session tokens follow the `id.secret` design: the id finds the row, the secret proves possession.
// Only SHA-256(secret) is stored, so a leaked database cannot be replayed as cookies.

const TOKEN_RE = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export interface MintedToken {
  readonly id: string;
  readonly token: string;
  readonly secretHash: Buffer;
}

export function mintSessionToken(): MintedToken {
  const id = randomBytes(16).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `${id}.${secret}`, secretHash: hashSecret(secret) };
}

export function parseSessionToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN_RE.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Constant-time comparison of a presented secret against the stored hash. */
export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const presented = hashSecret(secret);
  return presented.length === storedHash.length && timingSafeEqual(presented, storedHash);
}
