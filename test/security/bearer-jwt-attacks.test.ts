import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { importJWK, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

// Each test is an attack on bearer-token verification; every one must end in 401 GW_INVALID_TOKEN.
const API = '/api/2.0/mlflow/experiments/search?max_results=1';

describe('bearer JWT attacks', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  const call = (token: string) => fetch(`${stack.gatewayUrl}${API}`, { headers: { authorization: `Bearer ${token}` } });
  const claims = (over: JWTPayload = {}): JWTPayload => ({
    iss: stack.idp.issuer, aud: 'mlflow-gateway', sub: 'user-alice', preferred_username: 'alice', groups: ['team-a'],
    iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 300, ...over,
  });
  async function signWithIdpKey(payload: JWTPayload): Promise<string> {
    const jwk = stack.idp.privateJwks()[0]!;
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: jwk.kid }).sign(await importJWK(jwk, 'RS256'));
  }
  async function expectRefused(token: string, message: RegExp): Promise<void> {
    const res = await call(token);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { gateway_code: string; message: string };
    expect(body.gateway_code).toBe('GW_INVALID_TOKEN');
    expect(body.message).toMatch(message);
    expect(stack.logs.join('\n')).not.toContain(token.split('.')[2] || token);
  }

  it('accepts a genuine token signed by the IdP (control)', async () => {
    const res = await call(await signWithIdpKey(claims()));
    expect(res.status).toBe(200);
  });

  it('alg-none: refuses an unsigned token', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    await expectRefused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`, /not allowed|invalid/i);
  });

  it('hs256-key-confusion: refuses HS256 signed with the IdP public key as HMAC secret', async () => {
    const jwk = stack.idp.privateJwks()[0]!;
    const pem = createPublicKey({ key: { kty: jwk.kty!, n: jwk.n!, e: jwk.e! }, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: jwk.kid }).sign(Buffer.from(pem));
    await expectRefused(token, /algorithm that is not allowed/);
  });

  it('wrong-issuer: refuses a token whose iss is another issuer', async () => {
    await expectRefused(await signWithIdpKey(claims({ iss: 'https://evil.example.com' })), /untrusted issuer/);
  });

  it('wrong-audience: refuses a token minted for another service', async () => {
    await expectRefused(await signWithIdpKey(claims({ aud: 'some-other-api' })), /audience/);
  });

  it('expired-token: refuses a token past exp (beyond the clock skew)', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    await expectRefused(await signWithIdpKey(claims({ iat: past - 300, exp: past })), /expired/);
  });

  it('not-yet-valid-token: refuses a token whose nbf is in the future', async () => {
    await expectRefused(await signWithIdpKey(claims({ nbf: Math.floor(Date.now() / 1000) + 3600 })), /not valid yet/);
  });

  it('missing-exp: refuses a token that never expires', async () => {
    const { exp: _drop, ...rest } = claims();
    await expectRefused(await signWithIdpKey(rest), /exp/);
  });

  it('unknown-kid: refuses a token signed by a key the IdP never published', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: 'attacker-key' }).sign(privateKey);
    await expectRefused(token, /unknown key/);
  });

  it('tampered-signature: refuses a token whose payload was altered after signing', async () => {
    const [h, , s] = (await signWithIdpKey(claims())).split('.');
    const forged = Buffer.from(JSON.stringify(claims({ preferred_username: 'admin', groups: ['mlflow-admins'] }))).toString('base64url');
    await expectRefused(`${h}.${forged}.${s}`, /signature/);
  });

  it('jwks-rotation: accepts tokens signed with the IdP\'s new key after rotation', async () => {
    const before = await stack.idp.getTokens('alice');
    expect((await call(before.access_token)).status).toBe(200);
    const newKid = await stack.idp.rotateSigningKey();
    const after = await stack.idp.getTokens('alice');
    expect(JSON.parse(Buffer.from(after.access_token.split('.')[0]!, 'base64url').toString()).kid).toBe(newKid);
    expect((await call(after.access_token)).status).toBe(200);
    expect((await call(before.access_token)).status).toBe(200); // old key still published
  });

  it('non-bearer-scheme: refuses unknown Authorization schemes instead of ignoring them', async () => {
    const res = await fetch(`${stack.gatewayUrl}${API}`, { headers: { authorization: 'Negotiate abc' } });
    expect(res.status).toBe(401);
  });
});
