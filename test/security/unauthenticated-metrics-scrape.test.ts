import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

// Metrics reveal traffic shape, auth failures and internals: they are served only with the
// configured bearer token (constant-time compared) or on a listener the operator chose, and the
// main port never serves them without a token — nor passes the path on to MLflow.

const TOKEN = 'metrics-scrape-token-0123456789';

describe('unauthenticated metrics scrape', () => {
  const stacks: Stack[] = [];
  let withToken: Stack;
  let withoutToken: Stack;
  beforeAll(async () => {
    withToken = await startStack({ env: { GATEWAY_METRICS_TOKEN: TOKEN } });
    withoutToken = await startStack();
    stacks.push(withToken, withoutToken);
  });
  afterAll(async () => Promise.all(stacks.map((s) => s.stop())));

  it('refuses a scrape with no token, a wrong token, a prefix of the token, a Basic credential, or a user JWT', async () => {
    const url = `${withToken.gatewayUrl}/_gateway/metrics`;
    const { access_token } = await withToken.idp.getTokens('admin');
    for (const authorization of [undefined, 'Bearer wrong-token-wrong-token', `Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`, `Bearer ${access_token}`, TOKEN]) {
      const res = await fetch(url, authorization === undefined ? {} : { headers: { authorization } });
      expect(res.status, String(authorization)).toBe(401);
      expect(await res.text()).not.toContain('gateway_requests_total');
    }
    const ok = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('gateway_requests_total');
  });

  it('without a metrics token the main port serves no metrics (and does not proxy the path to MLflow)', async () => {
    for (const path of ['/_gateway/metrics', '/metrics']) {
      const res = await fetch(`${withoutToken.gatewayUrl}${path}`);
      expect(res.status, path).not.toBe(200);
      expect(await res.text()).not.toContain('process_resident_memory_bytes');
    }
  });
});
