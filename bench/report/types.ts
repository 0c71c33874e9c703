import type { ArtifactResult } from '../scenarios/artifacts.js';
import type { CeilingResult } from '../scenarios/ceiling.js';
import type { ChildGrantsResult } from '../scenarios/child-grants.js';
import type { SearchResult } from '../scenarios/filtered-search.js';
import type { ClientCell } from '../scenarios/python-client.js';
import type { RestResult } from '../scenarios/rest-latency.js';
import type { StartupResult } from '../scenarios/startup.js';
import type { ProfileSummary } from '../lib/cpuprofile.js';
import type { MissingTarget, TargetKind } from '../lib/targets.js';

// The shape of bench/results/latest.json (and what the Markdown report is rendered from).

export interface TargetInfo {
  label: string;
  kind: TargetKind;
  baseline?: string;
}

export interface Goal {
  goal: string;
  target: string;
  measured: string;
  met: boolean | 'n/a';
}

export interface Results {
  profile: 'full' | 'quick';
  scenarios: string[];
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: {
    cores: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    mlflow: string;
    mlflowPython: string;
    peers?: { mlflowOidcAuth: string; python: string };
    loadAverage: { start: number[]; end: number[] };
    commit: string;
  };
  targets: Record<string, TargetInfo>;
  missing: MissingTarget[];
  peerProblem?: string;
  /** MLflow basic-auth: median latency of users/current with the password check uncached vs cached (ms). */
  basicAuthCredentialCheck?: { uncachedMs: number; cachedMs: number };
  seeding: { experiments: number; seconds: number; method: string; readable: number };
  rest?: RestResult & { endpoints: string[]; requests: Record<number, number> };
  /** Python http.client, interleaved request by request: what a user's script sees. */
  client?: ClientCell[];
  ceiling?: CeilingResult & { endpoints: string[]; requests: number; connections: number };
  search?: SearchResult & { experiments: number; readable: number };
  /** runs/search first page with run grants only (issue #16). */
  children?: ChildGrantsResult;
  artifacts?: ArtifactResult;
  startup?: StartupResult & { mainGatewayAtEnd?: { rss: number; peak: number } };
  /** The gateway under the ceiling workload with node --cpu-prof, at 32 connections. */
  cpuProfile?: ProfileSummary & { workload: string };
  /** The same at one connection (one request at a time: no batching of syscalls or timers). */
  cpuProfileC1?: ProfileSummary & { workload: string };
  goals: Goal[];
}
