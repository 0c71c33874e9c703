import { createHash, hkdfSync } from 'node:crypto';
import type { Config } from '../../config/index.js';
import { decodeToken, encodeToken } from '../../mlflow/continuation.js';
import { parseSearchState, type FilteredSearchState } from '../../mlflow/filtered-search.js';
import type { Subject } from '../../policy/index.js';

// The gateway's next_page_token for filtered searches: the resume state of filteredPage, signed
// with a key derived from GATEWAY_SECRET (its own HKDF purpose, so it is no other key), and bound
// to a context: the search, the caller, the strategy, and the client's filter/order parameters.
// A token replayed by another user, for another search, with another filter, or after the
// strategy changed (grants changed between pages) does not verify: the client restarts.

const keys = new WeakMap<Config, Buffer>();

function keyOf(config: Config): Buffer {
  let key = keys.get(config);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', config.secret, 'mlflow-oidc-gateway', 'filtered-search-page-token', 32));
    keys.set(config, key);
  }
  return key;
}

export interface TokenBinding {
  /** The search (experiments, registered_models…). */
  readonly kind: string;
  readonly subject: Subject;
  /** The strategy ('ids' | 'scan' | 'empty'), so one pagination never switches strategy. */
  readonly mode: string;
  /** The client parameters MLflow's upstream tokens depend on (filter, order_by, view_type…). */
  readonly params: unknown;
}

function contextOf(b: TokenBinding): string {
  const digest = createHash('sha256').update(JSON.stringify([b.subject.userId, b.params])).digest('base64url');
  return `${b.kind}/${b.mode}/${digest}`;
}

/** The resume state in a client's page token; 'invalid' when the gateway did not issue it for this binding. */
export function readPageToken(config: Config, token: string | undefined, binding: TokenBinding, maxBatchSize: number): FilteredSearchState | undefined | 'invalid' {
  if (token === undefined) return undefined;
  return parseSearchState(decodeToken(keyOf(config), token, contextOf(binding)), maxBatchSize) ?? 'invalid';
}

export function writePageToken(config: Config, state: FilteredSearchState, binding: TokenBinding): string {
  return encodeToken(keyOf(config), state, contextOf(binding));
}
