// How much a run measures. `full` is what `npm run bench` runs (and what bench/results/ holds);
// `quick` (`npm run bench -- --quick`) is a ~2-minute smoke run of every scenario with tiny counts.

export interface Profile {
  readonly name: 'full' | 'quick';
  /** Rounds of every side-by-side comparison; figures are medians over them. */
  readonly rounds: number;
  readonly rest: {
    readonly concurrencies: readonly number[];
    /** Fixed request count per cell, by concurrency. */
    readonly requests: Readonly<Record<number, number>>;
    /** Upper time bound per cell, by concurrency (a cell that hits it reports fewer requests). */
    readonly maxSeconds: Readonly<Record<number, number>>;
    readonly warmupRequests: number;
  };
  /** Python http.client, interleaved request by request (scenarios/python-client.ts). */
  readonly client: { readonly requests: number; readonly warmup: number };
  readonly ceiling: { readonly requests: number; readonly connections: number; readonly maxSeconds: number };
  readonly search: {
    readonly experiments: number;
    readonly readable: number;
    readonly firstPageIterations: number;
    readonly fullScanIterations: number;
    /** Time bound per target and query; slow peers get fewer iterations (at least one). */
    readonly maxSecondsPerCell: number;
  };
  /** One experiment of `runs` runs the caller cannot read, `granted` run grants (scenarios/child-grants.ts). */
  readonly children: { readonly runs: number; readonly granted: number; readonly rounds: number };
  readonly artifacts: { readonly bytes: number; readonly rounds: number };
  readonly startup: { readonly starts: number };
  /** A CPU-profiled gateway run (node --cpu-prof) against the fast upstream, summarised in the report. */
  readonly cpuProfile: { readonly requests: number } | undefined;
}

const MiB = 1024 * 1024;

export const FULL: Profile = {
  name: 'full',
  rounds: 3,
  // 1,000 per cell × 3 rounds: 3,000 samples per cell at concurrency 1 (a p99 of 200 samples is 2 requests).
  rest: { concurrencies: [1, 32], requests: { 1: 1_000, 32: 600 }, maxSeconds: { 1: 12, 32: 3.5 }, warmupRequests: 200 },
  client: { requests: 1_500, warmup: 50 },
  ceiling: { requests: 4_000, connections: 32, maxSeconds: 6 },
  search: { experiments: 10_000, readable: 50, firstPageIterations: 15, fullScanIterations: 5, maxSecondsPerCell: 45 },
  children: { runs: 10_000, granted: 50, rounds: 15 },
  artifacts: { bytes: 1024 * MiB, rounds: 2 },
  startup: { starts: 5 },
  cpuProfile: { requests: 20_000 },
};

export const QUICK: Profile = {
  name: 'quick',
  rounds: 1,
  rest: { concurrencies: [1, 32], requests: { 1: 20, 32: 40 }, maxSeconds: { 1: 1, 32: 1 }, warmupRequests: 5 },
  client: { requests: 100, warmup: 10 },
  ceiling: { requests: 1_000, connections: 32, maxSeconds: 3 },
  search: { experiments: 1_000, readable: 50, firstPageIterations: 3, fullScanIterations: 1, maxSecondsPerCell: 10 },
  children: { runs: 500, granted: 50, rounds: 3 },
  artifacts: { bytes: 32 * MiB, rounds: 1 },
  startup: { starts: 1 },
  cpuProfile: { requests: 2_000 },
};
