import type { GatewayContext } from './credentials.js';

// Personal access tokens (`mog_…`, src/tokens/), minted the way a user does: POST
// /_gateway/api/v1/tokens with the user's IdP access token. One token per gateway and user serves
// both the Bearer and the Basic credential. A gateway without the token API yields the reason
// the report shows instead of figures.

const minted = new Map<string, Promise<{ token: string } | { unavailable: string }>>();

export function personalTokenCredential(gw: GatewayContext, username: string): Promise<{ token: string } | { unavailable: string }> {
  const key = `${gw.url} ${gw.process.pid} ${username}`;
  let p = minted.get(key);
  if (!p) {
    p = mint(gw, username);
    minted.set(key, p);
  }
  return p;
}

async function mint(gw: GatewayContext, username: string): Promise<{ token: string } | { unavailable: string }> {
  const res = await fetch(`${gw.url}/_gateway/api/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await gw.idp.accessToken(username)}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ name: `bench-${Date.now().toString(36)}`, expires_in_days: 1 }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status === 404) return { unavailable: 'not yet available (the gateway has no personal-token API: POST /_gateway/api/v1/tokens → 404)' };
  if (res.status !== 201 && res.status !== 200) return { unavailable: `could not mint a personal token: POST /_gateway/api/v1/tokens → ${res.status} ${text.slice(0, 200)}` };
  const token = (JSON.parse(text) as { token?: unknown }).token;
  if (typeof token !== 'string' || !token.startsWith('mog_')) return { unavailable: 'the token API answered without a mog_ token' };
  return { token };
}
