import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

/**
 * A real JWT issuer standing in for a Kubernetes API server or GitHub's Actions token service: its
 * own RSA key, an OpenID discovery document and a JWKS on 127.0.0.1, and tokens signed with that
 * key. The gateway verifies them exactly as it would the real thing (nothing is mocked).
 */
export interface WorkloadIssuer {
  readonly issuer: string;
  readonly jwksUri: string;
  /** A signed RS256 token with `iss`, `iat` and `exp` (default: valid for 5 minutes) filled in. */
  mint(claims: JWTPayload, opts?: { expiresIn?: number }): Promise<string>;
  /** Number of requests served (discovery and JWKS), to show which were fetched. */
  readonly hits: { discovery: number; jwks: number };
  stop(): Promise<void>;
}

export async function startWorkloadIssuer(opts: { jwksPath?: string } = {}): Promise<WorkloadIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  const jwksPath = opts.jwksPath ?? '/openid/v1/jwks';
  const hits = { discovery: 0, jwks: 0 };
  let issuer = '';
  const server: Server = createServer((req, res) => {
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/.well-known/openid-configuration') {
      hits.discovery++;
      json({ issuer, jwks_uri: `${issuer}${jwksPath}`, response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] });
    } else if (req.url === jwksPath) {
      hits.jwks++;
      json({ keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] });
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer, jwksUri: `${issuer}${jwksPath}`, hits,
    async mint(claims, mintOpts = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iat: now, exp: now + (mintOpts.expiresIn ?? 300), ...claims, iss: claims.iss ?? issuer })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .sign(privateKey);
    },
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
