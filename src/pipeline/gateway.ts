import type { FastifyBaseLogger } from 'fastify';
import type { InvalidationBus } from '../cache/bus.js';
import type { CacheStats } from '../cache/stats.js';
import type { Config } from '../config/index.js';
import type { Tracing } from '../tracing/index.js';
import type { WorkloadFederation } from '../federation/workload.js';
import type { BearerVerifier } from '../oidc/bearer.js';
import type { Providers } from '../oidc/providers/registry.js';
import type { SessionManager } from '../session/manager.js';
import type { Sealer } from '../session/seal.js';
import type { Store } from '../store/index.js';
import type { Resolver } from '../mlflow/resolver.js';
import type { UpstreamVersion } from '../compat/upstream-version.js';
import type { AccessControl } from './access.js';
import type { FailureLimiter } from '../tokens/failure-limiter.js';
import type { TokenService } from '../tokens/service.js';
import type { UserDirectory } from './user-directory.js';
import type { MemoryBudget } from './memory-budget.js';

/** The gateway's long-lived parts, built once at start-up and handed to every step. */
export interface Gateway {
  readonly config: Config;
  readonly store: Store;
  /** The identity providers (at least one; the first is the default). */
  readonly providers: Providers;
  readonly bearer: BearerVerifier;
  readonly sessions: SessionManager;
  readonly users: UserDirectory;
  readonly loginSealer: Sealer;
  /** Child id → owning experiment / model / endpoint, asked of MLflow, cached briefly. */
  readonly resolver: Resolver;
  /** The MLflow version behind the gateway and what it supports (route set, search strategies, trace API). */
  readonly mlflow: UpstreamVersion;
  /** Store grants + pure policy: every permission question goes here. */
  readonly access: AccessControl;
  /** Personal access tokens (and service accounts' tokens). */
  readonly tokens: TokenService;
  /** Brute-force guard for token and Basic credentials. */
  readonly failures: FailureLimiter;
  /** Workload JWTs of outside issuers, checked against the trust rules. */
  readonly federation: WorkloadFederation;
  /** Trace context to MLflow, and the gateway's spans when an exporter is configured. */
  readonly tracing: Tracing;
  readonly log: FastifyBaseLogger;
  /** Store changes announced to every replica's caches. */
  readonly bus: InvalidationBus;
  readonly cacheStats: CacheStats;
  /** Request and MLflow bodies held in memory at once (GATEWAY_BODY_MEMORY). */
  readonly memory: MemoryBudget;
}
