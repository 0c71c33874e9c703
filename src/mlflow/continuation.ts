// The gateway's own page tokens for filtered searches. A token carries the resume state of a
// filtered pagination (MLflow's upstream token, how many items of that upstream page were already
// consumed, the fixed batch size…) and is signed, so a client cannot forge offsets or smuggle an
// upstream token of its own choosing.
//
// Format: `<payload>.<mac>`, both base64url without padding.
//   payload = base64url(JSON.stringify({ v: TOKEN_VERSION, c?: context, s: state }))
//   mac     = HMAC-SHA256(secretKey, DOMAIN || payload-as-ascii)
// The optional `context` binds a token to what it was issued for (e.g. the search kind and the
// caller): a token presented in another context does not verify. Verification is constant-time.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TOKEN_VERSION = 1;

/** Domain separation: these MACs cannot be confused with other HMACs made with the same key. */
const DOMAIN = 'mlflow-oidc-gateway/page-token\u0000';
/** Tokens longer than this are rejected before any work (MLflow's own tokens are short). */
export const MAX_TOKEN_LENGTH = 8192;

const B64URL = /^[A-Za-z0-9_-]+$/;

function mac(secretKey: Buffer, payload: string): Buffer {
  return createHmac('sha256', secretKey).update(DOMAIN).update(payload, 'ascii').digest();
}

function assertKey(secretKey: Buffer): void {
  if (!Buffer.isBuffer(secretKey) || secretKey.length < 16) throw new Error('page-token secret key must be a Buffer of at least 16 bytes');
}

/** Signs `state` (any JSON-serialisable object) into an opaque token. */
export function encodeToken(secretKey: Buffer, state: object, context?: string): string {
  assertKey(secretKey);
  const envelope: { v: number; c?: string; s: object } = context === undefined ? { v: TOKEN_VERSION, s: state } : { v: TOKEN_VERSION, c: context, s: state };
  const payload = Buffer.from(JSON.stringify(envelope), 'utf8').toString('base64url');
  const token = `${payload}.${mac(secretKey, payload).toString('base64url')}`;
  if (token.length > MAX_TOKEN_LENGTH) throw new Error(`page token would exceed ${MAX_TOKEN_LENGTH} characters`);
  return token;
}

/**
 * The state of a token made by encodeToken with the same key (and context); undefined for anything
 * else: tampered, signed with another key, another version or context, or not a token at all.
 */
export function decodeToken(secretKey: Buffer, token: string, context?: string): object | undefined {
  assertKey(secretKey);
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return undefined;
  const payload = token.slice(0, dot);
  const sig = token.slice(dot + 1);
  if (!B64URL.test(payload) || !B64URL.test(sig)) return undefined;
  const given = Buffer.from(sig, 'base64url');
  const expected = mac(secretKey, payload);
  // Re-encoding must give the same text: no alternative spellings of one MAC.
  if (given.length !== expected.length || given.toString('base64url') !== sig) return undefined;
  if (!timingSafeEqual(given, expected)) return undefined;
  let envelope: unknown;
  try {
    envelope = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) return undefined;
  const env = envelope as { v?: unknown; c?: unknown; s?: unknown };
  if (env.v !== TOKEN_VERSION) return undefined;
  if ((env.c ?? undefined) !== context) return undefined;
  const s = env.s;
  if (typeof s !== 'object' || s === null || Array.isArray(s)) return undefined;
  return s;
}
