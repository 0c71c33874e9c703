import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpBrowser } from '../support/http-browser.js';
import { idpSessionOf, postLogoutToken, signLogoutToken } from '../support/logout-token.js';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';
import { REFUSED_LOGOUT_TOKENS_PER_MINUTE } from '../../src/oidc/backchannel-routes.js';

// Flooding the back-channel logout endpoint with bad tokens (to fill the audit log, or spend the
// gateway's signature checks and store writes): past the limit an address is answered 429 at once,
// without verifying or auditing; the refusals before it are audited as usual.
describe('back-channel logout token flooding', () => {
  let stack: Stack;
  let browser: HttpBrowser;
  beforeAll(async () => {
    stack = await startStack({ backchannelLogout: true });
    ({ browser } = await signIn(stack, 'alice'));
  });
  afterAll(async () => stack?.stop());

  it('logout-token-flooding: an address past the limit of refused tokens gets 429 with Retry-After, not another verification', async () => {
    for (let i = 0; i < REFUSED_LOGOUT_TOKENS_PER_MINUTE; i++) {
      const res = await postLogoutToken(stack, `not-a-jwt-${i}`);
      expect(res.status).toBe(400);
    }
    const auditedBefore = stack.logs.filter((l) => l.includes('"event":"refused"') && l.includes('GW_LOGOUT_TOKEN_INVALID')).length;
    expect(auditedBefore).toBeGreaterThanOrEqual(REFUSED_LOGOUT_TOKENS_PER_MINUTE);
    const limited = await postLogoutToken(stack, 'not-a-jwt-over-the-limit');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: 'temporarily_unavailable', gateway_code: 'GW_RATE_LIMITED' });
    // Even a valid token from the flooding address waits for the window: the limit is checked before any work.
    const { sid } = await idpSessionOf(stack, 'alice');
    expect((await postLogoutToken(stack, await signLogoutToken(stack.idp, { sid }))).status).toBe(429);
    expect((await browser.get(`${stack.gatewayUrl}/_gateway/api/v1/whoami`, { accept: 'application/json' })).status).toBe(200);
    expect(stack.logs.filter((l) => l.includes('"event":"refused"') && l.includes('GW_LOGOUT_TOKEN_INVALID')).length).toBe(auditedBefore);
  });
});
