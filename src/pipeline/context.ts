import type { ServerResponse } from 'node:http';
import type { RequestTrace } from '../tracing/index.js';
import type { MemoryLease } from './memory-budget.js';
import type { RouteSpec } from '../mlflow/index.js';
import type { AfterSuccess } from './after-response.js';
import type { ResponseRedaction } from './embedded-versions.js';
import type { Subject } from '../policy/index.js';
import type { User } from '../store/index.js';

/** `federated`: a workload JWT accepted by a trust rule; `client`: a client-credentials JWT of the IdP. */
export type AuthMethod = 'session' | 'jwt' | 'token' | 'basic' | 'federated' | 'client';

export interface Principal {
  readonly user: User;
  readonly method: AuthMethod;
  readonly sessionId?: string;
  /** The personal access token used, for the audit log. */
  readonly tokenId?: string;
  /** The trust rule that accepted a workload JWT, for the log. */
  readonly trustRule?: string;
  /** Limits of the credential used (read-only or resource-scoped personal tokens). */
  readonly limits?: Pick<Subject, 'maxLevel' | 'scope'>;
}

/** What the pipeline learns about one proxied request, step by step. Logged at the end. */
export interface RequestContext {
  readonly requestId: string;
  readonly clientIp: string;
  /** Normalised path relative to the gateway mount point: exactly what MLflow receives. */
  path: string;
  /** Raw query string (without '?'), forwarded unchanged. */
  query: string;
  route?: RouteSpec;
  params?: Record<string, string>;
  principal?: Principal;
  /** The policy's view of the principal (set by authorize). */
  subject?: Subject;
  /** Short decision summary for the log line, e.g. "allow: authenticated". */
  decision?: string;
  /**
   * The private part of a denial: what the gateway looked up (the experiment a run belongs to, its
   * name) and the deciding reason. For the access log and administrators' view of the audit log
   * only; the caller's answer and their own audit events never show it.
   */
  decisionDetail?: string;
  /** The refusal's message when the request was refused, for the audit event. */
  error?: string;
  /** What the refused request named (`run:<id>`) when its route's ids cannot say: the audit event's Resource. */
  named?: string;
  /** The raw response, whose 'close' gives the memory lease back. */
  response?: ServerResponse;
  /** The bodies this request holds in memory, charged to the gateway's budget (request-body.ts bodyLease). */
  memory?: MemoryLease;
  /** Buffered JSON body, when a step needed to read it; forwarded instead of the request stream. */
  body?: Buffer;
  /** `body` parsed (as MLflow parses it), when it was read. */
  json?: unknown;
  /** Trace context forwarded to MLflow; its gateway span ends with the response. */
  trace?: RequestTrace;
  /**
   * MLflow refuses this request by its own validation (a required id is absent, a field has the
   * wrong type): it is forwarded unfiltered so that MLflow's answer reaches the client.
   */
  mlflowValidates?: boolean;
  /** Runs with MLflow's JSON answer after a 2xx (creator grants, cache invalidation). */
  afterSuccess?: AfterSuccess;
  /** Rewrites MLflow's 2xx JSON answer to what the caller may read (embedded model versions). */
  redactResponse?: ResponseRedaction;
}
