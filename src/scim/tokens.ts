// SCIM bearer tokens: `mogscim_<id>_<secret>`, a prefix of their own so a provisioning token is
// never mistaken for (or accepted as) a personal token, and secret scanners can tell them apart.
// Only the SHA-256 of the secret is stored; the token is shown once, at creation or rotation.
import { BlockList, isIP } from 'node:net';
import { hashSecret, newTokenId, newTokenSecret, secretMatches } from '../tokens/format.js';
import type { Store, ScimToken } from '../store/index.js';
import { GatewayError } from '../errors/index.js';
import { ScimError } from './errors.js';

export const SCIM_TOKEN_PREFIX = 'mogscim_';
const SHAPE = /^mogscim_([0-9A-Za-z]{12})_([0-9A-Za-z]{43})$/;

export function mintScimToken(): { id: string; secret: string; token: string } {
  const id = newTokenId();
  const secret = newTokenSecret();
  return { id, secret, token: `${SCIM_TOKEN_PREFIX}${id}_${secret}` };
}

export { hashSecret };

/** Validates CIDRs (`10.0.0.0/8`, `2001:db8::/32`, single addresses) for a token's client-address restriction. */
export function parseCidrs(values: readonly string[]): string[] {
  for (const v of values) cidrParts(v);
  return [...values];
}

function cidrParts(v: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [address = '', bits] = v.split('/');
  const family = isIP(address);
  if (family === 0) throw new GatewayError('GW_BAD_REQUEST', `${v.slice(0, 60)} is not an IP address or CIDR`);
  const max = family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) throw new GatewayError('GW_BAD_REQUEST', `${v.slice(0, 60)} has an invalid prefix length`);
  return { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

function allowedFrom(cidrs: readonly string[], ip: string): boolean {
  const list = new BlockList();
  for (const c of cidrs) {
    const { address, prefix, family } = cidrParts(c);
    list.addSubnet(address, prefix, family);
  }
  const normalized = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const family = isIP(normalized);
  return family !== 0 && list.check(normalized, family === 4 ? 'ipv4' : 'ipv6');
}

const unauthorized = (message: string) => new ScimError(401, message);

/**
 * The SCIM token presented as `Authorization: Bearer`, or a 401 SCIM error. Same answer for an
 * unknown id, a wrong secret and a revoked token (nothing to learn by probing); a client address
 * outside the token's restriction is 403.
 */
export async function authenticateScim(store: Store, authorization: string | undefined, ip: string): Promise<ScimToken> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) throw unauthorized('A SCIM bearer token is required (Authorization: Bearer mogscim_…)');
  const parts = SHAPE.exec(m[1]!);
  if (!parts) throw unauthorized('The bearer token is not a SCIM token of this gateway (personal tokens and IdP tokens are not accepted here)');
  const token = await store.scim.getToken(parts[1]!);
  if (!token || token.revokedAt !== null || !secretMatches(parts[2]!, token.secretHash)) throw unauthorized('The SCIM token is not valid');
  if (token.allowedCidrs !== null && !allowedFrom(token.allowedCidrs, ip)) {
    throw new ScimError(403, 'The SCIM token is not accepted from this client address');
  }
  await store.scim.touchToken(token.id, new Date(), ip);
  return token;
}
