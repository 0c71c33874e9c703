import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption (AES-256-GCM) of small JSON values with a key derived from
 * GATEWAY_SECRET. Used for the sign-in cookie (state, nonce, PKCE verifier) and for IdP tokens at
 * rest in the store. `purpose` separates keys so one sealed value cannot be replayed as another.
 */
export interface Sealer {
  seal(value: unknown, ttlSeconds?: number): string;
  open<T>(sealed: string): T | undefined;
}

export function createSealer(secret: string, purpose: string): Sealer {
  const key = Buffer.from(hkdfSync('sha256', secret, 'mlflow-oidc-gateway', purpose, 32));
  return {
    seal(value, ttlSeconds) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const exp = ttlSeconds === undefined ? 0 : Date.now() + ttlSeconds * 1000;
      const body = Buffer.concat([cipher.update(JSON.stringify({ v: value, exp }), 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    open<T>(sealed: string): T | undefined {
      try {
        const raw = Buffer.from(sealed, 'base64url');
        if (raw.length < 29) return undefined;
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
        const { v, exp } = JSON.parse(text) as { v: T; exp: number };
        if (exp !== 0 && Date.now() > exp) return undefined;
        return v;
      } catch {
        return undefined; // tampered, truncated or sealed with another key
      }
    },
  };
}
