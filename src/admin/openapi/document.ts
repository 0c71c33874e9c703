// Builds the OpenAPI 3.1 document from the endpoint table. Every error answer has the same shape,
// {error_code, message, gateway_code}, listed once per status that endpoint can return.
import { ENDPOINTS, type Endpoint } from './endpoints.js';
import { SCHEMAS } from './schemas.js';

const ERRORS: Record<string, string> = {
  400: 'Bad input (GW_BAD_REQUEST, GW_BAD_BODY): the message names the field and what is accepted',
  401: 'Not authenticated (GW_UNAUTHENTICATED, GW_INVALID_TOKEN, GW_SESSION_EXPIRED)',
  403: 'Refused (GW_DENIED, GW_CSRF, GW_USER_DISABLED)',
  404: 'No such object (GW_NOT_FOUND)',
};

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function operation(e: Endpoint): Record<string, unknown> {
  const [status, schema] = e.ok;
  const body = schema === null ? {} : { content: { 'application/json': { schema: typeof schema === 'string' ? { $ref: `#/components/schemas/${schema}` } : schema } } };
  const errors = e.open ? {} : Object.fromEntries(Object.entries(ERRORS).map(([code, text]) => [code, errorResponse(text)]));
  return {
    tags: [e.tag],
    summary: e.summary,
    description: `Who: ${e.who}.`,
    operationId: `${e.method}_${e.path.replace(/[{}]/g, '').replace(/[^a-zA-Z0-9]+/g, '_')}`,
    ...(e.params ? { parameters: e.params.map((p) => ({ name: p.name, in: p.in, required: p.required ?? false, description: p.description, schema: { type: 'string', ...(p.enum ? { enum: p.enum } : {}) } })) } : {}),
    ...(e.body ? { requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${e.body}` } } } } } : {}),
    responses: { [String(status)]: { description: 'Success', ...body }, ...errors },
    ...(e.open ? { security: [] } : {}),
  };
}

export function openApiDocument(apiUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of ENDPOINTS) (paths[`/${e.path}`] ??= {})[e.method] = operation(e);
  return {
    openapi: '3.1.0',
    info: {
      title: 'MLflow OIDC gateway — admin and self-service API',
      version: 'v1',
      description: 'Grants, pattern rules, explain, users, groups, sessions, tokens, service accounts and the audit log. ' +
        'Authenticate with the browser session (writes must be same-origin, Content-Type: application/json) or Authorization: Bearer <IdP JWT | personal token>. ' +
        'Every error answers {error_code (MLflow\'s code), message, gateway_code (the gateway\'s stable code)}.',
    },
    servers: [{ url: apiUrl }],
    security: [{ bearer: [] }, { session: [] }],
    tags: [...new Set(ENDPOINTS.map((e) => e.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: SCHEMAS,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An access or ID token of the IdP, or a personal access token (mog_…)' },
        session: { type: 'apiKey', in: 'cookie', name: 'mlflow_gateway_session', description: 'The browser session (see GATEWAY_COOKIE_NAME)' },
      },
    },
  };
}
