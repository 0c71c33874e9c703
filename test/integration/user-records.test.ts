import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';

// The gateway's user list (what grants and the admin UI refer to) fills itself: a user is
// recorded the first time they sign in in a browser or present a bearer token.
describe('user records', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());
  const users = () => stack.server.gateway.store.users;

  it('records a user on first browser sign-in, with the IdP\'s profile and groups', async () => {
    expect(await users().getByUsername('alice')).toBeUndefined();
    const { result } = await signIn(stack, 'alice');
    expect(result.response.status).toBe(200);
    const alice = await users().getByUsername('alice');
    expect(alice).toMatchObject({
      subjectKey: `${stack.idp.issuer}#user-alice`, email: 'alice@example.com', displayName: 'Alice Example',
      groups: ['team-a'], isAdmin: false, disabled: false, kind: 'person',
    });
    expect(alice!.lastLoginAt).toBeInstanceOf(Date);
    // A second sign-in updates the same record rather than creating another.
    await signIn(stack, 'alice');
    expect((await users().getByUsername('alice'))?.id).toBe(alice!.id);
  });

  it('records a user on first bearer use, flagging administrators', async () => {
    expect(await users().getByUsername('admin')).toBeUndefined();
    const { access_token } = await stack.idp.getTokens('admin');
    const res = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(res.status).toBe(200);
    expect(await users().getByUsername('admin')).toMatchObject({
      subjectKey: `${stack.idp.issuer}#user-admin`, email: 'admin@example.com', groups: ['mlflow-admins'], isAdmin: true,
    });
  });

  it('does not record a caller whose token is refused', async () => {
    const { access_token } = await stack.idp.getTokens('bob');
    const [h, p, s] = access_token.split('.');
    const res = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers: { authorization: `Bearer ${h}.${p}x.${s}` } });
    expect(res.status).toBe(401);
    expect(await users().getByUsername('bob')).toBeUndefined();
  });
});
