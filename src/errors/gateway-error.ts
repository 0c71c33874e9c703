import { ERROR_CODES, type GatewayErrorCode } from './codes.js';

/** The resource a permission refusal was about and the level it needed (MLflow clients ignore the field). */
export interface DeniedResource {
  readonly resource_type: string;
  readonly resource_id: string;
  readonly needed: string;
}

/**
 * The one error type the gateway throws on purpose. `message` is public (shown to the client);
 * `detail` is private (logged only). Neither may contain a secret.
 */
export class GatewayError extends Error {
  readonly code: GatewayErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  /** Extra response headers, e.g. WWW-Authenticate or Retry-After. */
  readonly headers: Readonly<Record<string, string | string[]>>;
  /** What a refusal was about, for the UI to offer "ask for access" (public: only what the caller named). */
  readonly denied: DeniedResource | undefined;
  /**
   * MLflow's own error body, sent verbatim instead of the gateway's (no gateway_code): set only
   * where the gateway gives, without forwarding, exactly the answer MLflow gives everyone for that
   * request (a write naming an object that does not exist, an artifact path MLflow refuses), so
   * the client cannot tell the two apart. The access log still records the gateway's code.
   */
  readonly mlflowBody: Readonly<Record<string, unknown>> | undefined;
  /** The same body as MLflow's bytes (its JSON spacing, which clients quoting the body show). */
  readonly mlflowText: string | undefined;
  /**
   * What a refused request named, as `run:<id>`, for its audit event's Resource where the route's
   * ids cannot say (the arguments of a GraphQL field). Only what the caller sent; never in the answer.
   */
  readonly named: string | undefined;

  constructor(
    code: GatewayErrorCode,
    message: string,
    opts: { detail?: string; cause?: unknown; headers?: Record<string, string | string[]>; status?: number; denied?: DeniedResource; mlflowBody?: Readonly<Record<string, unknown>>; mlflowText?: string; named?: string } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = opts.status ?? ERROR_CODES[code].status;
    this.detail = opts.detail;
    this.headers = opts.headers ?? {};
    this.denied = opts.denied;
    this.mlflowBody = opts.mlflowBody;
    this.mlflowText = opts.mlflowBody ? opts.mlflowText : undefined;
    this.named = opts.named;
  }

  /** Server errors hide their message behind a generic one; client errors explain themselves. */
  get expose(): boolean {
    return this.status < 500 || this.code !== 'GW_INTERNAL';
  }

  toJSON(): { error_code: string; message: string; gateway_code?: GatewayErrorCode; denied?: DeniedResource } {
    if (this.mlflowBody) return { ...this.mlflowBody, error_code: String(this.mlflowBody.error_code ?? ERROR_CODES[this.code].mlflowCode), message: this.message };
    // `error_code` + `message` is the shape MLflow's own clients read for REST errors: they get
    // MLflow's code for the situation, and the gateway's stable code rides along.
    const message = this.expose ? this.message : 'Internal gateway error';
    const base = { error_code: ERROR_CODES[this.code].mlflowCode, message, gateway_code: this.code };
    return this.denied === undefined ? base : { ...base, denied: this.denied };
  }
}

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}

/** The single choke point where foreign errors become gateway errors (keeps `cause` for the log). */
export function toGatewayError(err: unknown, fallback: GatewayErrorCode = 'GW_INTERNAL'): GatewayError {
  if (err instanceof GatewayError) return err;
  const message = fallback === 'GW_INTERNAL' ? 'Internal gateway error' : ERROR_CODES[fallback].description;
  return new GatewayError(fallback, message, { cause: err, detail: err instanceof Error ? err.message : String(err) });
}
