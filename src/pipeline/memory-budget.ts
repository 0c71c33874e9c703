import { getHeapStatistics } from 'node:v8';
import { GatewayError } from '../errors/index.js';

/**
 * What holding one byte of a body costs the process, at its peak: the raw Buffer (outside V8's
 * heap), the UTF-8 string JSON.parse reads (one byte per ASCII character, inside the heap) and the
 * parsed objects. Measured on 2026-12-02 (Node 24): a 32 MiB log-batch body takes 68 MiB of heap
 * to parse, 16 MiB of experiments/search answer 40 MiB, a 32 MiB span attribute 64 MiB — about
 * 2–2.5 × the raw size, plus the raw size outside the heap.
 */
export const BODY_COST_FACTOR = 3;

/** The default budget: half of V8's heap limit (which --max-old-space-size or the container's memory sets). */
export function defaultBodyMemory(): number {
  return Math.floor(getHeapStatistics().heap_size_limit / 2);
}

/**
 * A budget for the request and MLflow answer bodies the gateway holds in memory at once (bodies
 * read to find ids, searches filtered page by page, answers re-encoded). Without one, many large
 * bodies at once — each within GATEWAY_MAX_JSON_BODY — exhaust the heap and stop the process for
 * everyone (a denial of service by any signed-in caller); with one, the request that would pass
 * the budget is refused with 503 GW_BUSY (Retry-After) and the others are served.
 *
 * Each request holds a lease; what it reads is charged (× BODY_COST_FACTOR) as it arrives and the
 * whole lease is given back once when the response is closed — finished, failed or aborted.
 */
export class MemoryBudget {
  #used = 0;
  readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Bytes (at cost) held by requests in flight. */
  get used(): number {
    return this.#used;
  }

  lease(): MemoryLease {
    return new MemoryLease(this);
  }

  /** @internal by MemoryLease */
  tryTake(cost: number): boolean {
    if (this.#used + cost > this.limit) return false;
    this.#used += cost;
    return true;
  }

  /** @internal by MemoryLease */
  giveBack(cost: number): void {
    this.#used = Math.max(0, this.#used - cost);
  }
}

export class MemoryLease {
  readonly #budget: MemoryBudget;
  #held = 0;
  #released = false;

  constructor(budget: MemoryBudget) {
    this.#budget = budget;
  }

  /** Cost held by this request. */
  get held(): number {
    return this.#held;
  }

  /**
   * Charges `bytes` of body. Throws GW_BUSY when the budget cannot hold them now; a body larger than
   * the whole budget could never be held and is refused with GW_BODY_TOO_LARGE instead.
   */
  take(bytes: number): void {
    const cost = bytes * BODY_COST_FACTOR;
    // After the response closed, nothing more is read for this request: stop the work.
    if (this.#released) throw busy();
    if (this.#held + cost > this.#budget.limit) {
      throw new GatewayError('GW_BODY_TOO_LARGE', `The request needs more memory for bodies than this gateway allows one request (GATEWAY_BODY_MEMORY: ${this.#budget.limit} bytes at ${BODY_COST_FACTOR} × the body size)`);
    }
    if (!this.#budget.tryTake(cost)) throw busy();
    this.#held += cost;
  }

  /** Gives everything back; idempotent. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#budget.giveBack(this.#held);
    this.#held = 0;
  }
}

function busy(): GatewayError {
  return new GatewayError('GW_BUSY', 'The gateway is holding too many large request or MLflow bodies at once; retry shortly', { headers: { 'retry-after': '1' } });
}
