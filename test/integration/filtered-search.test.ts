import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { decodeToken, encodeToken } from '../../src/mlflow/continuation.js';
import { prng } from '../support/filtered-fixtures.js';
import {
  experimentsSource,
  filteredPage,
  loggedModelsSource,
  MlflowSearchError,
  narrowExperimentIds,
  parseSearchState,
  registeredModelsSource,
  searchExperimentsByIds,
  type FilteredSearchState,
  type MlflowExperiment,
  type PageSource,
  type SearchBinding,
} from '../../src/mlflow/filtered-search.js';

// Filtered pagination against the real MLflow of the test run: full pages, no duplicates, nothing
// missing, stable resumes, with the gateway's signed tokens in between.
const mlflowUrl = inject('mlflowUrl');
const run = randomUUID().slice(0, 8);
const key = randomBytes(32);

async function api<T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${mlflowUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}


/** Wraps a source to count upstream calls. */
function counting<T>(source: PageSource<T>): PageSource<T> & { calls: number } {
  const wrapped = {
    calls: 0,
    maxBatchSize: source.maxBatchSize,
    fetch: (token: string | undefined, n: number) => {
      wrapped.calls++;
      return source.fetch(token, n);
    },
  };
  return wrapped;
}

interface Paged<T> {
  pages: T[][];
  /** tokens[i] = the gateway token that fetched pages[i] (undefined for the first). */
  tokens: (string | undefined)[];
}

/** Pages through a binding like the gateway would: every `next` goes through a signed token. */
async function paginate<T>(
  make: () => SearchBinding<T>,
  readable: (item: T) => boolean,
  maxResults: number,
  opts: { batchSize?: number; maxUpstreamPages?: number; context?: string } = {},
): Promise<Paged<T>> {
  const pages: T[][] = [];
  const tokens: (string | undefined)[] = [];
  let token: string | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    let state: FilteredSearchState | undefined;
    if (token !== undefined) {
      state = parseSearchState(decodeToken(key, token, opts.context));
      expect(state, 'a token the gateway issued decodes').toBeDefined();
    }
    // A fresh binding per page, as each client request builds its own.
    const res = await filteredPage({ source: make().source, readable, maxResults, resumeToken: state, ...opts });
    pages.push(res.items);
    tokens.push(token);
    if (!res.next) return { pages, tokens };
    token = encodeToken(key, res.next, opts.context);
  }
  throw new Error('pagination did not end');
}

function checkPages<T>(paged: Paged<T>, expected: readonly string[], keyOf: (item: T) => string, maxResults: number, allowShort = false): void {
  const { pages } = paged;
  if (!allowShort) {
    for (let i = 0; i < pages.length - 1; i++) expect(pages[i]!.length, `page ${i + 1} of ${pages.length} is full`).toBe(maxResults);
  }
  const keys = pages.flat().map(keyOf);
  expect(new Set(keys).size, 'no duplicates').toBe(keys.length);
  expect(keys, 'the filtered upstream order, nothing missing').toEqual(expected);
}

const N_EXPERIMENTS = 300;
const prefix = `fs-${run}-`;
const seed = Number.parseInt(run.slice(0, 8), 16) >>> 0;
/** Experiment names in `name ASC` order, and the readable subset. */
let names: string[];
const idByName = new Map<string, string>();
const readableNames = new Set<string>();
let readableIds: string[];

beforeAll(async () => {
  names = Array.from({ length: N_EXPERIMENTS }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);
  const ids = await pool(names, 8, async (name) => (await api<{ experiment_id: string }>('POST', '/api/2.0/mlflow/experiments/create', { name })).experiment_id);
  names.forEach((n, i) => idByName.set(n, ids[i]!));
  // Every 7th, plus a few random ones, plus a run of consecutive ones (crosses upstream page edges).
  const rnd = prng(seed);
  names.forEach((n, i) => {
    if (i % 7 === 3 || rnd() < 0.05 || (i >= 196 && i <= 204)) readableNames.add(n);
  });
  readableIds = [...readableNames].map((n) => idByName.get(n)!);
  console.info(`filtered-search: seed ${seed}, ${readableNames.size}/${N_EXPERIMENTS} experiments readable`);
});

describe('filteredPage over experiments/search', () => {
  const body = () => ({ filter: `name LIKE '${prefix}%'`, order_by: ['name ASC'] });
  const expected = () => names.filter((n) => readableNames.has(n));

  it.each([25, 7, 100])('maxResults %i: full pages, no duplicates, nothing missing', async (maxResults) => {
    const paged = await paginate(() => experimentsSource(mlflowUrl, body()), (e) => readableNames.has(e.name), maxResults, { context: 'experiments' });
    checkPages(paged, expected(), (e) => e.name, maxResults);
  });

  it('small upstream batches: resumes inside and across upstream pages exactly', async () => {
    for (const [maxResults, batchSize] of [
      [5, 6],
      [4, 11],
      [9, 9],
    ] as const) {
      const paged = await paginate(() => experimentsSource(mlflowUrl, body()), (e) => readableNames.has(e.name), maxResults, { batchSize });
      checkPages(paged, expected(), (e) => e.name, maxResults);
    }
  });

  it('resuming with the same page-3 token twice gives the same page (stable)', async () => {
    const paged = await paginate(() => experimentsSource(mlflowUrl, body()), (e) => readableNames.has(e.name), 25);
    const token = paged.tokens[2];
    expect(token).toBeDefined();
    const again = async () =>
      (
        await filteredPage({
          source: experimentsSource(mlflowUrl, body()).source,
          readable: (e) => readableNames.has(e.name),
          maxResults: 25,
          resumeToken: parseSearchState(decodeToken(key, token!)),
        })
      ).items.map((e) => e.experiment_id);
    const first = await again();
    expect(await again()).toEqual(first);
    expect(first).toEqual(paged.pages[2]!.map((e) => e.experiment_id));
  });

  it('a forged token does not decode (the gateway refuses it instead of resuming)', async () => {
    const paged = await paginate(() => experimentsSource(mlflowUrl, body()), (e) => readableNames.has(e.name), 25, { context: 'experiments' });
    const token = paged.tokens[1]!;
    const [payload, mac] = token.split('.') as [string, string];
    const env = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { s: FilteredSearchState };
    env.s.skip = 0;
    const forged = `${Buffer.from(JSON.stringify(env)).toString('base64url')}.${mac}`;
    expect(decodeToken(key, forged, 'experiments')).toBeUndefined();
    expect(decodeToken(key, token, 'registered_models')).toBeUndefined();
  });

  it('nothing readable → one empty page; everything readable → MLflow order', async () => {
    const none = await paginate(() => experimentsSource(mlflowUrl, body()), () => false, 25);
    expect(none.pages).toEqual([[]]);
    const all = await paginate(() => experimentsSource(mlflowUrl, body()), () => true, 40);
    checkPages(all, names, (e) => e.name, 40);
  });

  it('maxUpstreamPages bounds the work per call; continuing still yields everything exactly once', async () => {
    const source = counting(experimentsSource(mlflowUrl, body()).source);
    const first = await filteredPage({ source, readable: (e) => readableNames.has(e.name), maxResults: 25, resumeToken: undefined, batchSize: 10, maxUpstreamPages: 2 });
    expect(source.calls).toBe(2);
    expect(first.truncated).toBe(true);
    expect(first.next).toBeDefined();
    const paged = await paginate(() => experimentsSource(mlflowUrl, body()), (e) => readableNames.has(e.name), 25, { batchSize: 10, maxUpstreamPages: 2 });
    checkPages(paged, expected(), (e) => e.name, 25, true);
  });

  it('relays MLflow errors (bad filter) as MlflowSearchError', async () => {
    const err = await filteredPage({
      source: experimentsSource(mlflowUrl, { filter: 'nonsense ~~ 1' }).source,
      readable: () => true,
      maxResults: 5,
      resumeToken: undefined,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MlflowSearchError);
    expect(err).toMatchObject({ status: 400, errorCode: 'INVALID_PARAMETER_VALUE' });
  });
});

describe('searchExperimentsByIds (access only from explicit grants)', () => {
  const body = () => ({ filter: `name LIKE '${prefix}%'`, order_by: ['name ASC'] });
  const expected = () => names.filter((n) => readableNames.has(n));

  it('MLflow narrows by id: same pages as the scan, a fraction of the upstream work', async () => {
    const binding = searchExperimentsByIds(mlflowUrl, readableIds, body());
    expect(binding.mode).toBe('ids');
    for (const maxResults of [25, 7]) {
      const paged = await paginate(() => searchExperimentsByIds(mlflowUrl, readableIds, body()), (e) => readableNames.has(e.name), maxResults);
      checkPages(paged, expected(), (e) => e.name, maxResults);
    }
    // Upstream calls for the whole pagination: ids vs scan, same batch size.
    const calls = async (make: () => SearchBinding<MlflowExperiment>, batchSize?: number) => {
      let total = 0;
      let state: FilteredSearchState | undefined;
      do {
        const source = counting(make().source);
        const res = await filteredPage({ source, readable: (e) => readableNames.has(e.name), maxResults: 7, resumeToken: state, ...(batchSize ? { batchSize } : {}) });
        total += source.calls;
        state = res.next;
      } while (state);
      return total;
    };
    // By id: batch = page size, one call per page (+1 to learn the end). Scan: small batches to make the scan visible.
    const byIds = await calls(() => searchExperimentsByIds(mlflowUrl, readableIds, body()));
    expect(byIds).toBeLessThanOrEqual(Math.ceil(readableIds.length / 7) + 1);
    const scan = await calls(() => experimentsSource(mlflowUrl, body()), 20);
    console.info(`filtered-search: ${readableIds.length} readable of ${N_EXPERIMENTS}: ${byIds} upstream calls by id vs ${scan} scanning`);
    expect(byIds).toBeLessThan(scan);
  });

  it('without a client filter, with non-canonical ids, and with no ids at all', async () => {
    const some = readableIds.slice(0, 5);
    const paged = await paginate(() => searchExperimentsByIds(mlflowUrl, [...some, 'abc', '007', ''], { order_by: ['name ASC'] }), () => true, 2);
    expect(paged.pages.flat().map((e) => e.experiment_id).sort()).toEqual([...some].sort());
    const empty = searchExperimentsByIds(mlflowUrl, ['x'], body());
    expect(empty.mode).toBe('empty');
    expect((await filteredPage({ source: empty.source, readable: () => true, maxResults: 5, resumeToken: undefined })).items).toEqual([]);
  });
});

describe('filteredPage over registered-models/search', () => {
  const M = 60;
  const modelPrefix = `fs-${run}-model-`;
  let models: string[];
  let readable: Set<string>;

  beforeAll(async () => {
    models = Array.from({ length: M }, (_, i) => `${modelPrefix}${String(i).padStart(2, '0')}`);
    await pool(models, 8, (name) => api('POST', '/api/2.0/mlflow/registered-models/create', { name }));
    const rnd = prng(seed ^ 0x5bd1e995);
    readable = new Set(models.filter((_, i) => i % 3 === 1 || rnd() < 0.1));
  });

  it.each([
    [5, undefined],
    [5, 8],
    [3, 4],
  ])('maxResults %i, batch %s: full pages in name DESC order, nothing missing', async (maxResults, batchSize) => {
    const query = new URLSearchParams({ filter: `name LIKE '${modelPrefix}%'`, order_by: 'name DESC' });
    const paged = await paginate(() => registeredModelsSource(mlflowUrl, query), (m) => readable.has(m.name), maxResults, batchSize ? { batchSize } : {});
    const expected = models.filter((n) => readable.has(n)).reverse();
    checkPages(paged, expected, (m) => m.name, maxResults);
  });
});

describe('logged models and experiment-id narrowing', () => {
  it('narrowExperimentIds keeps readable ids once, in request order', async () => {
    const [a, b, c] = readableIds;
    const hidden = idByName.get(names.find((n) => !readableNames.has(n))!)!;
    expect(await narrowExperimentIds([hidden, a!, b!, a!, hidden, c!], async (id) => readableIds.includes(id))).toEqual([a, b, c]);
    expect(await narrowExperimentIds([hidden], (id) => readableIds.includes(id))).toEqual([]);
    expect(await narrowExperimentIds(undefined, () => true)).toEqual([]);
  });

  it('loggedModelsSource pages a post-filtered logged-model search', async () => {
    const [a, b] = [readableIds[0]!, idByName.get(names.find((n) => !readableNames.has(n))!)!];
    const created = await pool(Array.from({ length: 24 }, (_, i) => i), 6, async (i) => {
      const res = await api<{ model: { info: { model_id: string } } }>('POST', '/api/2.0/mlflow/logged-models', { experiment_id: i % 2 ? a : b, name: `lm-${String(i).padStart(2, '0')}` });
      return { id: res.model.info.model_id, exp: i % 2 ? a : b, name: `lm-${String(i).padStart(2, '0')}` };
    });
    const body = { experiment_ids: [a, b], order_by: [{ field_name: 'name', ascending: true }] };
    const paged = await paginate(() => loggedModelsSource(mlflowUrl, body), (m) => m.info.experiment_id === a, 4, { batchSize: 5 });
    const expected = created.filter((m) => m.exp === a).sort((x, y) => x.name.localeCompare(y.name)).map((m) => m.id);
    checkPages(paged, expected, (m) => m.info.model_id, 4);
  });
});

// Not MLflow: the pagination algorithm alone, over an in-memory list with offset tokens (the shape
// of MLflow's tokens), for every combination of sizes and readable subsets fast-check can find.
describe('filteredPage algorithm (property, in-memory offset pages)', () => {
  it('concatenated pages = filtered list; all pages but the last are full', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.boolean(), { maxLength: 120 }),
        fc.integer({ min: 1, max: 15 }),
        fc.integer({ min: 1, max: 20 }),
        async (readableFlags, maxResults, batchSize) => {
          const list = readableFlags.map((r, i) => ({ i, r }));
          const source: PageSource<{ i: number; r: boolean }> = {
            fetch: async (token, n) => {
              const offset = token ? Number(token) : 0;
              const end = offset + n;
              return { items: list.slice(offset, end), nextPageToken: end < list.length ? String(end) : undefined };
            },
          };
          const out: number[] = [];
          let state: FilteredSearchState | undefined;
          let pages = 0;
          do {
            const res = await filteredPage({ source, readable: (x) => x.r, maxResults, resumeToken: state, batchSize });
            if (res.next) expect(res.items.length).toBe(maxResults);
            out.push(...res.items.map((x) => x.i));
            state = res.next && parseSearchState(decodeToken(key, encodeToken(key, res.next)));
            pages++;
          } while (state && pages < 1000);
          expect(out).toEqual(list.filter((x) => x.r).map((x) => x.i));
        },
      ),
      { numRuns: 300 },
    );
  });
});
