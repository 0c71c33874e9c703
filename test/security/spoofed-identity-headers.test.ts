import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

// A client that claims an identity through headers a naive proxy or plugin would trust gets nowhere.
describe('spoofed identity headers', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  it.each<Record<string, string>>([
    { 'x-forwarded-user': 'admin' },
    { 'x_forwarded_user': 'admin' },
    { 'x-forwarded-groups': 'mlflow-admins', 'x-forwarded-user': 'admin', 'x-forwarded-email': 'admin@example.com' },
    { 'x-remote-user': 'admin' },
    { 'x-auth-request-user': 'admin', 'x-auth-request-groups': 'mlflow-admins' },
    { 'remote-user': 'admin' },
  ])('spoofed-x-forwarded-user: %o does not authenticate', async (headers) => {
    const res = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/search?max_results=1`, { headers });
    expect(res.status).toBe(401);
  });
});
