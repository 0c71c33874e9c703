import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { callerFor, unique, type ApiCaller } from '../support/mlflow-api.js';
import { signIn } from '../support/sign-in.js';
import { startStack, type Stack } from '../support/stack.js';
import type { HttpBrowser } from '../support/http-browser.js';

// What the store is asked per authorized request, for each credential (issue #19: a SQLite query
// showed in the c=1 profile). Once the caches are warm, a read asks the store nothing; an allowed
// write asks it for exactly one thing, its audit event (docs/security-model.md: allowed writes are
// audited), batched (src/audit/batched-store.ts). And the caches that make reads free never keep a
// revoked token or a disabled account working: both are refused on the very next request.
// The store is the real SQLite store, wrapped to record which of its methods are called.

/** The retention sweep's calls (src/audit/retention.ts: 5 s after start, then hourly): housekeeping, not a request's. */
const HOUSEKEEPING = new Set(['oneTimeIds.prune', 'audit.prune']);

interface Call {
  readonly method: string;
  readonly events: number;
}

/** The store with every method of its parts (users, tokens, audit…) recording its calls. */
function counting(store: Store, calls: Call[]): Store {
  const wrapped: Record<string, unknown> = { ...store };
  for (const [part, value] of Object.entries(store)) {
    if (value === null || typeof value !== 'object') continue;
    const methods: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(value as Record<string, unknown>)) {
      methods[name] = typeof fn !== 'function' ? fn : (...args: unknown[]) => {
        if (!HOUSEKEEPING.has(`${part}.${name}`)) calls.push({ method: `${part}.${name}`, events: Array.isArray(args[0]) ? args[0].length : 1 });
        return (fn as (...a: unknown[]) => unknown).apply(value, args);
      };
    }
    wrapped[part] = methods;
  }
  return wrapped as unknown as Store;
}

describe('store queries per authorized request', () => {
  const calls: Call[] = [];
  let stack: Stack;
  let alice: ApiCaller;
  let admin: ApiCaller;
  let browser: HttpBrowser;
  let pat: { id: string; token: string };
  let experimentId: string;
  let runId: string;
  const settle = () => new Promise((r) => setTimeout(r, 50)); // past the audit batch's delay

  beforeAll(async () => {
    // Long TTLs: the caches' expiry (a backstop behind invalidation events, 30 s and 5 s by default) would
    // otherwise re-read an entry inside a measured window now and then.
    stack = await startStack({ store: counting(await openStore('sqlite::memory:'), calls), env: { GATEWAY_CACHE_TTL: '1h', GATEWAY_GRANT_CACHE_TTL: '1h' } });
    [alice, admin] = await Promise.all([callerFor(stack, 'alice'), callerFor(stack, 'admin')]);
    experimentId = (await alice.post('experiments/create', { name: unique('store-queries') })).json.experiment_id as string;
    runId = (await alice.post('runs/create', { experiment_id: experimentId })).json.run.info.run_id as string;
    const minted = await alice.raw('POST', '/_gateway/api/v1/tokens', { body: JSON.stringify({ name: unique('pat') }), headers: { 'content-type': 'application/json' } });
    expect(minted.status).toBe(201);
    pat = minted.json as { id: string; token: string };
    ({ browser } = await signIn(stack, 'alice'));
  });
  afterAll(async () => stack?.stop());

  /** One call with each credential: the session cookie, the IdP JWT, the personal token as Bearer and as Basic password. */
  const withEach = (path: string, body?: unknown): Record<string, () => Promise<number>> => {
    const url = `${stack.gatewayUrl}/api/2.0/mlflow/${path}`;
    const init = (authorization?: string): RequestInit => ({
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...(authorization ? { authorization } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const status = async (res: Promise<Response>) => (await res).status;
    return {
      session: () => status(body === undefined ? browser.get(url) : browser.request(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })),
      jwt: () => status(fetch(url, init(`Bearer ${alice.token}`))),
      'token (Bearer)': () => status(fetch(url, init(`Bearer ${pat.token}`))),
      'token (Basic)': () => status(fetch(url, init(`Basic ${Buffer.from(`alice:${pat.token}`).toString('base64')}`))),
    };
  };

  /**
   * The store calls of `times` calls. The users seen through IdP JWTs are re-recorded every 30 s (a fixed
   * backstop, src/pipeline/user-directory.ts), which can fall inside one window: a window with calls is
   * measured once more, and a query made per request shows in both.
   */
  const storeCallsOf = async (times: number, call: () => Promise<number>, label: string): Promise<Call[]> => {
    const window = async () => {
      calls.length = 0;
      for (let i = 0; i < times; i++) expect(await call(), label).toBe(200);
      await settle();
      return [...calls];
    };
    const first = await window();
    return first.length === 0 || first.every((c) => c.method === 'audit.appendMany') ? first : window();
  };

  it('reads ask the store nothing once the caches are warm, with every credential', async () => {
    for (const [path, body] of [[`experiments/get?experiment_id=${experimentId}`, undefined], ['runs/search', { experiment_ids: [experimentId], max_results: 5 }]] as const) {
      for (const [credential, call] of Object.entries(withEach(path, body))) {
        expect(await call(), credential).toBe(200); // warms the caches (and last-use marks, written at most once a minute)
        await settle();
        expect((await storeCallsOf(10, call, credential)).map((c) => c.method), `${path} with ${credential}`).toEqual([]);
      }
    }
  });

  it('an allowed write asks the store only to append its audit event, with every credential', async () => {
    let step = 0;
    const logMetric = () => ({ run_id: runId, key: 'loss', value: 1, timestamp: Date.now(), step: step++ });
    for (const [credential] of Object.entries(withEach('runs/log-metric', {}))) {
      const call = () => withEach('runs/log-metric', logMetric())[credential]!();
      expect(await call(), credential).toBe(200);
      await settle();
      const seen = await storeCallsOf(3, call, credential);
      expect([...new Set(seen.map((c) => c.method))], credential).toEqual(['audit.appendMany']);
      expect(seen.reduce((n, c) => n + c.events, 0), credential).toBe(3);
    }
  });

  it('a revoked token and a disabled account are refused on the next request although warm reads skip the store', async () => {
    const read = withEach(`experiments/get?experiment_id=${experimentId}`);
    for (const call of Object.values(read)) expect(await call()).toBe(200);
    expect((await alice.raw('DELETE', `/_gateway/api/v1/tokens/${pat.id}`)).status).toBe(204);
    expect(await read['token (Bearer)']!()).toBe(401);
    expect(await read['token (Basic)']!()).toBe(401);
    expect(await read.jwt!()).toBe(200);
    expect((await admin.raw('POST', '/_gateway/api/v1/users/alice/disable')).status).toBe(200);
    try {
      expect(await read.jwt!()).toBe(403);
      expect(await read.session!()).toBe(401);
    } finally {
      await admin.raw('POST', '/_gateway/api/v1/users/alice/enable');
    }
  });
});
