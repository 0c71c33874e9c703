// SCIM errors (RFC 7644 §3.12): `{ schemas: [Error], status: "400", scimType, detail }`. Every
// refusal of the SCIM endpoint has this shape; the gateway's stable code rides along.
import { isGatewayError, type GatewayErrorCode } from '../errors/index.js';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export type ScimType =
  | 'invalidFilter' | 'tooMany' | 'uniqueness' | 'mutability' | 'invalidSyntax' | 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidVers' | 'sensitive';

export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  constructor(status: number, message: string, scimType?: ScimType) {
    super(message);
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
  }
}

export const badRequest = (message: string, scimType: ScimType = 'invalidValue') => new ScimError(400, message, scimType);
export const notFound = (what: string) => new ScimError(404, `${what} not found`);

/** The SCIM error body and status for anything thrown by a SCIM handler. */
export function scimErrorBody(err: unknown): { status: number; body: Record<string, unknown>; gatewayCode?: GatewayErrorCode } {
  if (err instanceof ScimError) {
    return { status: err.status, body: { schemas: [ERROR_SCHEMA], status: String(err.status), ...(err.scimType ? { scimType: err.scimType } : {}), detail: err.message } };
  }
  if (isGatewayError(err)) {
    const status = err.status;
    const scimType = err.code === 'GW_CONFLICT' ? { scimType: 'uniqueness' } : err.code === 'GW_BAD_BODY' ? { scimType: 'invalidSyntax' } : {};
    const detail = err.expose ? err.message : 'Internal gateway error';
    return { status, gatewayCode: err.code, body: { schemas: [ERROR_SCHEMA], status: String(status), ...scimType, detail } };
  }
  return { status: 500, body: { schemas: [ERROR_SCHEMA], status: '500', detail: 'Internal gateway error' } };
}
