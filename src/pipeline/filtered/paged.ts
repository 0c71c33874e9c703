import { defaultBatchSize, filteredPage, type PageSource, type SearchBinding } from '../../mlflow/filtered-search.js';
import { readPageToken, writePageToken, type TokenBinding } from './page-token.js';
import { noteDecision, type FilterRequest } from './request.js';
import { relaySearchError, sendJson, sendMlflowError } from './send.js';

/**
 * Largest upstream page the gateway asks for. MLflow accepts up to 50 000 experiments or 200 000
 * model versions per call, but one such answer can exceed what the gateway buffers (16 MiB) and
 * means tens of thousands of checks before the first byte goes out; a big client page is then
 * served from several upstream pages instead.
 */
export const MAX_UPSTREAM_BATCH = 5000;

export interface PagedSearch<T> {
  readonly binding: SearchBinding<T>;
  readonly token: Omit<TokenBinding, 'subject'>;
  readonly maxResults: number;
  /** The client's page_token, if any. */
  readonly pageToken: string | undefined;
  /** The upstream API's max_results bound (a forged batch size above it is refused). */
  readonly maxBatchSize: number;
  /** Rewrites each returned item to what the caller may read of it (embedded children), after the item itself was allowed. */
  readonly redactItem?: (item: T) => Promise<T>;
}

/**
 * Answers one page of a filtered search: full pages of readable items in MLflow's order, and the
 * gateway's own signed next_page_token. MLflow's response shape is kept, including protobuf-JSON's
 * habit of omitting an empty list and an absent token.
 */
export async function servePagedSearch<T>(fr: FilterRequest, s: PagedSearch<T>): Promise<true> {
  const binding: TokenBinding = { ...s.token, subject: fr.subject };
  const resume = readPageToken(fr.gw.config, s.pageToken, binding, s.maxBatchSize);
  if (resume === 'invalid') return sendMlflowError(fr, 'INVALID_PARAMETER_VALUE', 'Invalid page token: it was not issued by this gateway for this search (or the search changed); start again without it');
  const checked = checkedSource(fr, s.binding);
  let page;
  try {
    const natural = checked.source.defaultBatchSize?.(s.maxResults) ?? defaultBatchSize(s.maxResults, checked.source.maxBatchSize);
    const batchSize = Math.min(natural, MAX_UPSTREAM_BATCH);
    page = await filteredPage({ source: checked.source, readable: checked.readable, maxResults: s.maxResults, resumeToken: resume, batchSize });
  } catch (err) {
    return relaySearchError(fr, err);
  }
  const items = s.redactItem ? await Promise.all(page.items.map(s.redactItem)) : page.items;
  const body: Record<string, unknown> = {};
  if (items.length > 0) body[s.binding.itemsField] = items;
  if (page.next) body.next_page_token = writePageToken(fr.gw.config, page.next, binding);
  noteDecision(fr, `${s.token.kind} (${s.token.mode}, ${page.items.length} items, ${page.upstreamPages} upstream pages)`);
  return sendJson(fr, body);
}

/**
 * Wraps the search's source so that each upstream page is checked as a batch (bounded
 * concurrency, memoised per request) as soon as it arrives; filteredPage's readable() is then
 * a lookup.
 */
function checkedSource<T>(fr: FilterRequest, binding: SearchBinding<T>): { source: PageSource<T>; readable: (item: T) => boolean } {
  const verdicts = new WeakMap<object, boolean>();
  const inner = binding.source;
  const source: PageSource<T> = {
    ...(inner.maxBatchSize !== undefined ? { maxBatchSize: inner.maxBatchSize } : {}),
    ...(inner.defaultBatchSize !== undefined ? { defaultBatchSize: inner.defaultBatchSize } : {}),
    async fetch(token, maxResults) {
      const page = await inner.fetch(token, maxResults);
      const ok = await fr.access.allowedEach('read', page.items.map(binding.resourceOf));
      page.items.forEach((item, i) => verdicts.set(item as object, ok[i] === true));
      return page;
    },
  };
  return { source, readable: (item) => verdicts.get(item as object) === true };
}
