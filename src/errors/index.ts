export { ERROR_CODES, type GatewayErrorCode } from './codes.js';
export { GatewayError, isGatewayError, toGatewayError } from './gateway-error.js';
