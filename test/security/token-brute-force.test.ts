import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

// Guessing personal access tokens (Bearer or Basic) is rate-limited, and the answers never tell
// whether a username exists.
describe('token brute force', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { GATEWAY_AUTH_FAILURE_LIMIT: '5', GATEWAY_AUTH_FAILURE_WINDOW: '10m' } });
  });
  afterAll(async () => stack?.stop());

  const call = (authorization: string) => fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization } });
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const guess = (i: number) => `mog_${'A'.repeat(11)}${i % 10}_${'b'.repeat(43)}`;

  it('token-guessing: the sixth wrong token from one client gets 429 with Retry-After', async () => {
    for (let i = 0; i < 5; i++) expect((await call(`Bearer ${guess(i)}`)).status).toBe(401);
    const blocked = await call(`Bearer ${guess(6)}`);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await blocked.json()) as { gateway_code: string }).gateway_code).toBe('GW_RATE_LIMITED');
  });

  it('username-enumeration: an existing and an unknown username get the same answer', async () => {
    const other = await startStack({ env: { GATEWAY_AUTH_FAILURE_LIMIT: '100' } });
    try {
      await callerFor(other, 'alice').then((a) => a.get('experiments/search', { max_results: '1' })); // alice exists in the store
      const ask = async (user: string) => {
        const res = await fetch(`${other.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: basic(user, guess(1)) } });
        return { status: res.status, body: await res.text(), challenge: res.headers.get('www-authenticate') };
      };
      expect(await ask('alice')).toEqual(await ask('no-such-user-anywhere'));
    } finally {
      await other.stop();
    }
  });
});
