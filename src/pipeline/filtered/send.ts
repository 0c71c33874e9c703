import { GatewayError } from '../../errors/index.js';
import { MlflowSearchError } from '../../mlflow/filtered-search.js';
import type { MlflowCallResult } from '../../mlflow/resolver.js';
import { forward } from '../steps/forward.js';
import type { FilterRequest } from './request.js';

/** Sends the gateway's own answer, shaped like MLflow's. Returns true (the reply is sent). */
export function sendJson(fr: FilterRequest, body: unknown, status = 200): true {
  void fr.reply.code(status).type('application/json').send(JSON.stringify(body));
  return true;
}

/** An MLflow-style error (error_code + message), for parameters the gateway validates itself. */
export function sendMlflowError(fr: FilterRequest, errorCode: string, message: string, status = 400): true {
  return sendJson(fr, { error_code: errorCode, message }, status);
}

/** Relays what MLflow answered to the gateway's own call: its status and error body, so clients see MLflow's error. */
export function relayUpstreamFailure(fr: FilterRequest, r: Exclude<MlflowCallResult, { kind: 'ok' }>): true {
  if (r.kind === 'network_error') throw new GatewayError('GW_UPSTREAM_UNAVAILABLE', 'MLflow is unreachable; try again shortly', { detail: r.message });
  return sendJson(fr, r.json ?? { error_code: r.errorCode ?? 'INTERNAL_ERROR', message: r.message }, r.status);
}

/** Same for an MlflowSearchError thrown while paging; anything else propagates. */
export function relaySearchError(fr: FilterRequest, err: unknown): true {
  if (!(err instanceof MlflowSearchError)) throw err;
  if (err.status === undefined) throw new GatewayError('GW_UPSTREAM_UNAVAILABLE', 'MLflow is unreachable; try again shortly', { detail: err.message });
  return sendJson(fr, err.body ?? { error_code: err.errorCode ?? 'INTERNAL_ERROR', message: err.message }, err.status);
}

/**
 * Forwards the request to MLflow through the normal proxy path (header hygiene, streaming of the
 * answer), with `body` replacing the client's JSON body when given. A GET has no forwarded body:
 * its rewrite goes into ctx.query instead.
 */
export function forwardRewritten(fr: FilterRequest, body?: Record<string, unknown>): true {
  if (body !== undefined) fr.ctx.body = Buffer.from(JSON.stringify(body), 'utf8');
  void forward(fr.gw, fr.req, fr.reply, fr.ctx);
  return true;
}
