// Stable error codes. A code, once shipped, keeps its meaning and is never reused.
// Each code maps to an HTTP status and a one-line description (documented in README by `config docs`).

export const ERROR_CODES = {
  GW_UNAUTHENTICATED: { status: 401, description: 'No credentials were presented, or the session has ended.' },
  GW_INVALID_TOKEN: { status: 401, description: 'A bearer token or Basic credential was presented but is not valid.' },
  GW_SESSION_EXPIRED: { status: 401, description: 'The browser session expired or was revoked; sign in again.' },
  GW_FORBIDDEN_GROUP: { status: 403, description: 'The identity is valid but not in a group allowed to use this gateway.' },
  GW_USER_DISABLED: { status: 403, description: 'The user account is disabled on this gateway.' },
  GW_DENIED: { status: 403, description: 'The caller lacks the permission this request needs.' },
  GW_UNKNOWN_ROUTE: { status: 403, description: 'The MLflow route is not known to the gateway; refused for non-administrators (fail closed).' },
  GW_ROUTE_BLOCKED: { status: 403, description: 'The route is blocked for everyone by configuration (e.g. server-side code execution).' },
  GW_CSRF: { status: 403, description: 'A state-changing browser request came from another site.' },
  GW_BAD_PATH: { status: 400, description: 'The request path is malformed or ambiguous (dot segments, encoded separators, parameters).' },
  GW_AMBIGUOUS_ID: { status: 400, description: 'A resource id appears twice or in two spellings with different values.' },
  GW_MISSING_ID: { status: 400, description: 'A resource id the route needs is missing.' },
  GW_BAD_BODY: { status: 400, description: 'The request body is not the JSON the route expects.' },
  GW_BAD_REQUEST: { status: 400, description: 'The request is malformed.' },
  GW_BODY_TOO_LARGE: { status: 413, description: 'The JSON request body exceeds the configured limit.' },
  GW_NOT_FOUND: { status: 404, description: 'No such gateway endpoint or object.' },
  GW_RESOURCE_NOT_FOUND: { status: 404, description: 'The MLflow object the request names does not exist (sent with MLflow\'s own error_code RESOURCE_DOES_NOT_EXIST so clients behave as with MLflow).', mlflowCode: 'RESOURCE_DOES_NOT_EXIST' },
  GW_CONFLICT: { status: 409, description: 'The object already exists or changed concurrently.' },
  GW_RATE_LIMITED: { status: 429, description: 'Too many failed authentication attempts; retry after the given delay.' },
  GW_LOGIN_FAILED: { status: 400, description: 'The sign-in could not be completed (state, PKCE, nonce or IdP error).' },
  GW_IDP_UNAVAILABLE: { status: 503, description: 'The identity provider could not be reached.' },
  GW_STORE_UNAVAILABLE: { status: 503, description: 'The gateway store is unavailable; requests fail closed.' },
  GW_UPSTREAM_UNAVAILABLE: { status: 502, description: 'MLflow could not be reached or closed the connection.' },
  GW_UPSTREAM_TIMEOUT: { status: 504, description: 'MLflow did not answer within the configured timeout.' },
  GW_CONFIG_INVALID: { status: 500, description: 'The gateway configuration is invalid.' },
  GW_INTERNAL: { status: 500, description: 'An unexpected error inside the gateway.' },
} as const satisfies Record<string, { status: number; description: string; mlflowCode?: string }>;

export type GatewayErrorCode = keyof typeof ERROR_CODES;
