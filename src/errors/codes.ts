// Stable error codes. A code, once shipped, keeps its meaning and is never reused.
// Each code maps to an HTTP status, a one-line description (documented in README by `config docs`)
// and the MLflow ErrorCode sent as `error_code`, so the stock MLflow clients raise the exception
// they would for MLflow itself (PERMISSION_DENIED, UNAUTHENTICATED…); the gateway's own code
// travels beside it as `gateway_code`.

/** The MLflow ErrorCode names (mlflow/protos/databricks.proto) the gateway answers with. */
type MlflowErrorCode =
  | 'UNAUTHENTICATED' | 'PERMISSION_DENIED' | 'BAD_REQUEST' | 'INVALID_PARAMETER_VALUE'
  | 'ENDPOINT_NOT_FOUND' | 'RESOURCE_DOES_NOT_EXIST' | 'RESOURCE_ALREADY_EXISTS' | 'RESOURCE_CONFLICT' | 'REQUEST_LIMIT_EXCEEDED'
  | 'TEMPORARILY_UNAVAILABLE' | 'DEADLINE_EXCEEDED' | 'INTERNAL_ERROR';

export const ERROR_CODES = {
  GW_UNAUTHENTICATED: { status: 401, description: 'No credentials were presented, or the session has ended.', mlflowCode: 'UNAUTHENTICATED' },
  GW_INVALID_TOKEN: { status: 401, description: 'A bearer token or Basic credential was presented but is not valid.', mlflowCode: 'UNAUTHENTICATED' },
  GW_SESSION_EXPIRED: { status: 401, description: 'The browser session expired or was revoked; sign in again.', mlflowCode: 'UNAUTHENTICATED' },
  GW_SESSION_COOKIE_CONFLICT: { status: 401, description: 'The request carried more than one session cookie (a cookie planted by another origin of the same host name); all are cleared and none is used: sign in again.', mlflowCode: 'UNAUTHENTICATED' },
  GW_FORBIDDEN_GROUP: { status: 403, description: 'The identity is valid but not in a group allowed to use this gateway.', mlflowCode: 'PERMISSION_DENIED' },
  GW_FORBIDDEN_DOMAIN: { status: 403, description: 'The identity is valid but its email domain or hosted domain is not allowed, or its email is not verified.', mlflowCode: 'PERMISSION_DENIED' },
  GW_USER_DISABLED: { status: 403, description: 'The user account is disabled on this gateway.', mlflowCode: 'PERMISSION_DENIED' },
  GW_DENIED: { status: 403, description: 'The caller lacks the permission this request needs.', mlflowCode: 'PERMISSION_DENIED' },
  GW_PROTECTED_KEY: { status: 403, description: 'The request sets or deletes a protected alias or tag key (a protected-key rule, or the prompt marker tag) the caller may not write; the message names the rule.', mlflowCode: 'PERMISSION_DENIED' },
  GW_UNKNOWN_ROUTE: { status: 403, description: 'The MLflow route is not known to the gateway; refused for non-administrators (fail closed).', mlflowCode: 'PERMISSION_DENIED' },
  GW_ROUTE_BLOCKED: { status: 403, description: 'The route is blocked for everyone by configuration (e.g. server-side code execution).', mlflowCode: 'PERMISSION_DENIED' },
  GW_CSRF: { status: 403, description: 'A state-changing browser request came from another site.', mlflowCode: 'PERMISSION_DENIED' },
  GW_BAD_PATH: { status: 400, description: 'The request path is malformed or ambiguous (dot segments, encoded separators, parameters).', mlflowCode: 'BAD_REQUEST' },
  GW_INVALID_PATH: { status: 400, description: 'An artifact path MLflow refuses itself (a `..` segment, `#`, absolute; also once percent-decoded): MLflow\'s own answer ("Invalid path"), given without forwarding the request.', mlflowCode: 'INVALID_PARAMETER_VALUE' },
  GW_AMBIGUOUS_ID: { status: 400, description: 'A resource id appears twice or in two spellings with different values.', mlflowCode: 'INVALID_PARAMETER_VALUE' },
  GW_MISSING_ID: { status: 400, description: 'A resource id the route needs is missing.', mlflowCode: 'INVALID_PARAMETER_VALUE' },
  GW_BAD_BODY: { status: 400, description: 'The request body is not the JSON the route expects.', mlflowCode: 'BAD_REQUEST' },
  GW_BAD_REQUEST: { status: 400, description: 'The request is malformed.', mlflowCode: 'BAD_REQUEST' },
  GW_BODY_TOO_DEEP: { status: 400, description: 'The JSON request body (or GraphQL document) nests arrays and objects deeper than 100 levels, more than any MLflow request can.', mlflowCode: 'BAD_REQUEST' },
  GW_BODY_TOO_LARGE: { status: 413, description: 'The JSON request body exceeds the configured limit.', mlflowCode: 'BAD_REQUEST' },
  GW_NOT_FOUND: { status: 404, description: 'No such gateway endpoint or object.', mlflowCode: 'ENDPOINT_NOT_FOUND' },
  GW_RESOURCE_NOT_FOUND: { status: 404, description: 'The MLflow object the request names does not exist.', mlflowCode: 'RESOURCE_DOES_NOT_EXIST' },
  GW_ALREADY_EXISTS: { status: 400, description: 'MLflow auth API: the user or permission the call would create already exists (answered like MLflow basic-auth).', mlflowCode: 'RESOURCE_ALREADY_EXISTS' },
  GW_INVALID_VALUE: { status: 400, description: 'MLflow auth API: a parameter has a value the endpoint does not accept (unknown permission or resource type, wrong type).', mlflowCode: 'INVALID_PARAMETER_VALUE' },
  GW_AUTH_API_UNSUPPORTED: { status: 400, description: 'MLflow auth API: the call has no safe equivalent on the gateway (passwords, an admin flag the IdP decides, role permissions on a type it cannot map); the message says what to use instead.', mlflowCode: 'INVALID_PARAMETER_VALUE' },
  GW_CONFLICT: { status: 409, description: 'The object already exists or changed concurrently.', mlflowCode: 'RESOURCE_CONFLICT' },
  GW_RATE_LIMITED: { status: 429, description: 'Too many failed authentication attempts; retry after the given delay.', mlflowCode: 'REQUEST_LIMIT_EXCEEDED' },
  GW_LOGIN_FAILED: { status: 400, description: 'The sign-in could not be completed (state, PKCE, nonce or IdP error).', mlflowCode: 'BAD_REQUEST' },
  GW_LOGIN_MIX_UP: { status: 400, description: 'A sign-in response reached the callback of another identity provider than the one the sign-in was started with, or names another issuer (mix-up attack defence); nothing is signed in.', mlflowCode: 'BAD_REQUEST' },
  GW_SAML_INVALID: { status: 400, description: 'A SAML message was refused: no valid IdP signature, wrong audience, recipient, destination or issuer, outside its validity, a request id not ours or used, an assertion id used before, or a DOCTYPE; nobody was signed in or out.', mlflowCode: 'BAD_REQUEST' },
  GW_LOGOUT_TOKEN_INVALID: { status: 400, description: 'A back-channel logout token was refused: bad signature, issuer, audience or age, no logout event, a nonce, no sub/sid, or a jti used before; no session was ended.', mlflowCode: 'BAD_REQUEST' },
  GW_IDP_UNAVAILABLE: { status: 503, description: 'The identity provider could not be reached.', mlflowCode: 'TEMPORARILY_UNAVAILABLE' },
  GW_STORE_UNAVAILABLE: { status: 503, description: 'The gateway store is unavailable; requests fail closed.', mlflowCode: 'TEMPORARILY_UNAVAILABLE' },
  GW_BUSY: { status: 503, description: 'The gateway holds as many large request and MLflow bodies as its memory budget (GATEWAY_BODY_MEMORY) allows; retry after the given delay.', mlflowCode: 'TEMPORARILY_UNAVAILABLE' },
  GW_UPSTREAM_UNAVAILABLE: { status: 502, description: 'MLflow could not be reached or closed the connection.', mlflowCode: 'TEMPORARILY_UNAVAILABLE' },
  GW_UPSTREAM_TIMEOUT: { status: 504, description: 'MLflow did not answer within the configured timeout.', mlflowCode: 'DEADLINE_EXCEEDED' },
  GW_CONFIG_INVALID: { status: 500, description: 'The gateway configuration is invalid.', mlflowCode: 'INTERNAL_ERROR' },
  GW_INTERNAL: { status: 500, description: 'An unexpected error inside the gateway.', mlflowCode: 'INTERNAL_ERROR' },
} as const satisfies Record<string, { status: number; description: string; mlflowCode: MlflowErrorCode }>;

export type GatewayErrorCode = keyof typeof ERROR_CODES;
