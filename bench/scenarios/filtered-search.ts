import type { Profile } from '../profile.js';
import { log } from '../lib/log.js';
import { median } from '../lib/stats.js';
import type { Target } from '../lib/targets.js';

// Scenario 3 (and 5 for the peers): search_experiments over many experiments for a caller who
// may read a few scattered ones, against the same unfiltered call made directly on MLflow.
//   first page  POST experiments/search {max_results: 100}
//   full scan   every page of {max_results: 1000} until no next_page_token
// Targets without a filtering caller (direct MLflow, the gateway's administrator) return all
// experiments; the filtered ones must return exactly the readable set, which is checked.

export const FIRST_PAGE_SIZE = 100;
export const SCAN_PAGE_SIZE = 1000;

export interface SearchTarget extends Target {
  /** How many experiments this caller should see in a full scan. */
  readonly expectedVisible: number;
}

export interface SearchCell {
  target: string;
  query: 'first-page' | 'full-scan';
  iterations: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Experiments returned (first page) or seen over all pages (full scan). */
  returned: number;
  pages: number;
  /** Median over iterations of this target / its baseline (same query). */
  ratio?: number;
}

export interface SearchResult {
  cells: SearchCell[];
  problems: string[];
}

interface Page {
  count: number;
  next: string | undefined;
}

async function searchPage(t: Target, maxResults: number, pageToken?: string): Promise<Page> {
  const res = await fetch(`${t.url}/api/2.0/mlflow/experiments/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...t.headers },
    body: JSON.stringify({ max_results: maxResults, ...(pageToken ? { page_token: pageToken } : {}) }),
    signal: AbortSignal.timeout(600_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${t.id}: experiments/search → ${res.status}: ${text.slice(0, 300)}`);
  const json = JSON.parse(text) as { experiments?: unknown[]; next_page_token?: string };
  return { count: json.experiments?.length ?? 0, next: json.next_page_token || undefined };
}

async function fullScan(t: Target): Promise<{ count: number; pages: number }> {
  let count = 0;
  let pages = 0;
  let token: string | undefined;
  do {
    const page = await searchPage(t, SCAN_PAGE_SIZE, token);
    count += page.count;
    pages++;
    token = page.next;
  } while (token && pages < 10_000);
  return { count, pages };
}

export async function runFilteredSearch(targets: readonly SearchTarget[], profile: Profile): Promise<SearchResult> {
  const problems: string[] = [];
  const cells: SearchCell[] = [];
  const maxMs = profile.search.maxSecondsPerCell * 1000;
  for (const query of ['first-page', 'full-scan'] as const) {
    const once = async (t: Target) => {
      if (query === 'first-page') return { count: (await searchPage(t, FIRST_PAGE_SIZE)).count, pages: 1 };
      return fullScan(t);
    };
    // Side by side: iteration i runs every target once, in turn; a target whose time budget is
    // spent (slow peers) stops early, after at least one timed iteration.
    const live = new Map<string, { times: number[]; spent: number; returned: number; pages: number }>();
    for (const t of targets) {
      try {
        log(`search: ${query} warm-up via ${t.id}`);
        const t0 = performance.now();
        const r = await once(t);
        live.set(t.id, { times: [], spent: performance.now() - t0, returned: r.count, pages: r.pages });
      } catch (err) {
        problems.push(`${t.id} ${query}: ${(err as Error).message}`);
      }
    }
    const iterations = query === 'first-page' ? profile.search.firstPageIterations : profile.search.fullScanIterations;
    for (let i = 0; i < iterations; i++) {
      for (const t of targets) {
        const state = live.get(t.id);
        if (!state || (state.times.length > 0 && state.spent > maxMs)) continue;
        const t0 = performance.now();
        const r = await once(t);
        const ms = performance.now() - t0;
        state.times.push(ms);
        state.spent += ms;
        state.returned = r.count;
        state.pages = r.pages;
      }
    }
    for (const t of targets) {
      const state = live.get(t.id);
      if (!state) continue;
      const expected = query === 'first-page' ? Math.min(FIRST_PAGE_SIZE, t.expectedVisible) : t.expectedVisible;
      if (state.returned !== expected) problems.push(`${t.id} ${query}: returned ${state.returned} experiments, expected ${expected}`);
      cells.push({
        target: t.id, query, iterations: state.times.length, medianMs: median(state.times),
        minMs: Math.min(...state.times), maxMs: Math.max(...state.times), returned: state.returned, pages: state.pages,
      });
    }
    log(`search: ${query} done`);
  }
  for (const c of cells) {
    const base = targets.find((t) => t.id === c.target)?.baseline;
    const b = cells.find((x) => x.target === base && x.query === c.query);
    if (b) c.ratio = c.medianMs / b.medianMs;
  }
  for (const p of problems) log(`search: ${p}`);
  return { cells, problems };
}
