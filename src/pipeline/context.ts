import type { RouteSpec } from '../mlflow/index.js';
import type { User } from '../store/index.js';

export type AuthMethod = 'session' | 'jwt' | 'token' | 'basic';

export interface Principal {
  readonly user: User;
  readonly method: AuthMethod;
  readonly sessionId?: string;
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
  /** Short decision summary for the log line, e.g. "allow: authenticated". */
  decision?: string;
  /** Buffered JSON body, when a step needed to read it; forwarded verbatim. */
  body?: Buffer;
}
