export { ERROR_CODES, type GatewayErrorCode } from './codes.js';
export { GatewayError, isGatewayError, toGatewayError, type DeniedResource } from './gateway-error.js';
