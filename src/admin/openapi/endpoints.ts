// Every endpoint under <mount>/_gateway/api/v1, in one table: the OpenAPI document is generated
// from it, and a test fails when a registered route is missing here.
import { ACCESS_REQUEST_TTL_DAYS } from '../../access-requests/input.js';

type Schema = Record<string, unknown>;

export interface Param {
  readonly name: string;
  readonly in: 'query' | 'path';
  readonly description: string;
  readonly required?: boolean;
  readonly enum?: readonly string[];
}

export interface Endpoint {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Relative to the API base, OpenAPI style (`users/{username}`). */
  readonly path: string;
  readonly tag: string;
  readonly summary: string;
  /** Who may call it. */
  readonly who: string;
  readonly params?: readonly Param[];
  readonly body?: string;
  /** Status and response schema (component name, or an inline schema). */
  readonly ok: readonly [number, string | Schema | null];
  /** Authentication not required. */
  readonly open?: boolean;
}

const q = (name: string, description: string, extra: Partial<Param> = {}): Param => ({ name, in: 'query', description, ...extra });
const p = (name: string, description: string): Param => ({ name, in: 'path', description, required: true });
const list = (key: string, item: string, extra: Record<string, Schema> = {}): Schema => ({
  type: 'object', properties: { [key]: { type: 'array', items: { $ref: `#/components/schemas/${item}` } }, ...extra },
});
const wrap = (key: string, item: string): Schema => ({ type: 'object', properties: { [key]: { $ref: `#/components/schemas/${item}` } } });
const RESOURCE = [q('resource_type', 'experiment, registered_model, prompt, gateway_endpoint, gateway_secret, gateway_model_definition, workspace, run, trace, logged_model, model_version (<model>/<version>) or prompt_version (<prompt>/<version>)'), q('resource_id', 'experiment id, model name…')];
const AUDIT_FILTERS = [
  q('actor', 'username (non-administrators: only their own)'), q('action', 'exact action, or a prefix ending in * (request.*)'),
  q('decision', 'allow, deny or info', { enum: ['allow', 'deny', 'info'] }), q('resource', 'exact resource (experiment:12) or a prefix ending in *'),
  q('from', 'ISO date or time, inclusive'), q('to', 'ISO date or time, exclusive'),
];

const UNDO: Record<string, Schema> = {
  undo: { type: 'string', description: 'ticket for POST grants/undo (single use, 10 minutes, only for the caller)' }, undo_expires_at: { type: 'string' },
};

export const ENDPOINTS: readonly Endpoint[] = [
  { method: 'get', path: 'openapi.json', tag: 'meta', summary: 'This OpenAPI document', who: 'anyone', ok: [200, { type: 'object' }], open: true },
  { method: 'get', path: 'whoami', tag: 'me', summary: 'Who the browser session or the presented credential acts as (with the personal token or trust rule used)', who: 'anyone authenticated', ok: [200, { type: 'object' }] },
  { method: 'get', path: 'cli-config', tag: 'meta', summary: 'What `mlflow-oidc-gateway login` needs: issuer, public CLI client id, scopes (404 when OIDC_CLI_CLIENT_ID is unset)', who: 'anyone', ok: [200, { type: 'object' }], open: true },
  { method: 'get', path: 'grants', tag: 'grants', summary: 'Grants on one resource, or of one user or group', who: 'administrators; MANAGE on the resource for a resource listing',
    params: [...RESOURCE, q('principal_type', 'user or group'), q('principal', 'username or group name')], ok: [200, list('grants', 'Grant')] },
  { method: 'put', path: 'grants', tag: 'grants', summary: 'Create or change a grant (answers previous_level and an undo ticket). A user not known yet is recorded ahead of first sign-in by username, or by email (joined by the first sign-in with it verified); the answer is the same for known and new users', who: 'administrators; MANAGE on the resource (no self-escalation)', body: 'GrantInput', ok: [200, { type: 'object', properties: { grant: { $ref: '#/components/schemas/Grant' }, previous_level: { type: ['string', 'null'] }, ...UNDO, recorded_ahead_of_sign_in: { type: 'boolean', description: 'administrators only: the user was recorded now, ahead of first sign-in' } } }] },
  { method: 'delete', path: 'grants', tag: 'grants', summary: 'Remove a grant (key as JSON body or query; answers an undo ticket)', who: 'administrators; MANAGE on the resource (no self-escalation)', body: 'GrantKey', ok: [200, { type: 'object', properties: { deleted: { type: 'boolean' }, previous_level: { type: ['string', 'null'] }, ...UNDO } }] },
  { method: 'post', path: 'grants/undo', tag: 'grants', summary: 'Undo one grant change with the ticket its answer gave: restores the grant exactly as it was, if it is still what the change left (409 otherwise), once, within 10 minutes — also after the change took away the caller\'s own MANAGE', who: 'the user who made the change (not with a read-only or scoped token)', body: 'GrantUndo', ok: [200, { type: 'object', properties: { restored: { oneOf: [{ $ref: '#/components/schemas/Grant' }, { type: 'null' }] } } }] },
  { method: 'get', path: 'patterns', tag: 'patterns', summary: 'Pattern rules', who: 'administrators', params: [q('resource_type', 'only this type'), q('principal_type', 'user or group'), q('principal', 'username or group')], ok: [200, list('patterns', 'Pattern')] },
  { method: 'post', path: 'patterns', tag: 'patterns', summary: 'Add a pattern rule', who: 'administrators', body: 'PatternInput', ok: [201, wrap('pattern', 'Pattern')] },
  { method: 'patch', path: 'patterns/{id}', tag: 'patterns', summary: 'Change a pattern rule in place: pattern, matcher and/or level (audited as pattern.update)', who: 'administrators', params: [p('id', 'rule id (pr_…)')], body: 'PatternChange', ok: [200, wrap('pattern', 'Pattern')] },
  { method: 'delete', path: 'patterns/{id}', tag: 'patterns', summary: 'Remove a pattern rule', who: 'administrators', params: [p('id', 'rule id (pr_…)')], ok: [200, { type: 'object' }] },
  { method: 'get', path: 'protected-keys', tag: 'patterns', summary: 'Protected alias and tag-key rules', who: 'administrators', ok: [200, list('protected_keys', 'ProtectedKey')] },
  { method: 'post', path: 'protected-keys', tag: 'patterns', summary: 'Protect aliases or tag keys (glob) on resources of a type: setting or deleting them needs a level and/or membership of named groups', who: 'administrators', body: 'ProtectedKeyInput', ok: [201, wrap('protected_key', 'ProtectedKey')] },
  { method: 'delete', path: 'protected-keys/{id}', tag: 'patterns', summary: 'Remove a protected-key rule', who: 'administrators', params: [p('id', 'rule id (pk_…)')], ok: [200, { type: 'object' }] },
  { method: 'get', path: 'team-defaults', tag: 'patterns', summary: 'Team defaults: levels groups get on what is created', who: 'administrators', ok: [200, list('team_defaults', 'TeamDefault')] },
  { method: 'post', path: 'team-defaults', tag: 'patterns', summary: 'Add a team default (applied with the creator\'s MANAGE once MLflow confirms a creation)', who: 'administrators', body: 'TeamDefaultInput', ok: [201, wrap('team_default', 'TeamDefault')] },
  { method: 'delete', path: 'team-defaults/{id}', tag: 'patterns', summary: 'Remove a team default (grants it gave stay)', who: 'administrators', params: [p('id', 'rule id (td_…)')], ok: [200, { type: 'object' }] },
  { method: 'post', path: 'explain', tag: 'access', summary: 'Why a user may or may not do something: every grant and rule considered', who: 'administrators; managers of the resource (MANAGE on it and on its parent) about anyone; anyone about themselves', body: 'ExplainInput', ok: [200, 'Explanation'] },
  { method: 'get', path: 'access', tag: 'access', summary: 'Who can access one resource, with the source of each level (user grant, group grant, pattern, default, admin)', who: 'administrators; MANAGE on the resource',
    params: [...RESOURCE, q('action', 'read (default) or another action', { enum: ['read', 'use', 'update', 'delete', 'manage'] })], ok: [200, 'Access'] },
  { method: 'get', path: 'users', tag: 'users', summary: 'Users the gateway has seen', who: 'administrators', params: [q('search', 'part of the username or email'), q('limit', '1–1000 (100)'), q('offset', 'skip this many')], ok: [200, list('users', 'User')] },
  { method: 'get', path: 'users/{username}', tag: 'users', summary: 'One user: groups, grants, pattern rules, active tokens and sessions', who: 'administrators; anyone about themselves', params: [p('username', 'username')], ok: [200, 'UserDetail'] },
  { method: 'post', path: 'users/{username}/disable', tag: 'users', summary: 'Disable a user: ends their sessions; tokens and JWTs are refused until enabled', who: 'administrators (not themselves)', params: [p('username', 'username')], ok: [200, wrap('user', 'User')] },
  { method: 'post', path: 'users/{username}/enable', tag: 'users', summary: 'Enable a disabled user', who: 'administrators', params: [p('username', 'username')], ok: [200, wrap('user', 'User')] },
  { method: 'get', path: 'groups', tag: 'users', summary: 'Groups seen on users, from SCIM, created by administrators, or named in grants and rules, with members, grants and rules; an MLflow role\'s reserved group mlflow-role:<id> with its role (role), read-only here', who: 'administrators', ok: [200, list('groups', 'Group')] },
  { method: 'post', path: 'groups', tag: 'users', summary: 'Create a group ahead of use (suggested in share dialogs and grant forms; the policy matches groups by name)', who: 'administrators', body: 'GroupInput', ok: [201, { type: 'object', properties: { group: { type: 'object' } } }] },
  { method: 'delete', path: 'groups/{name}', tag: 'users', summary: 'Forget a group an administrator created (its grants and rules stay)', who: 'administrators', params: [p('name', 'group name')], ok: [200, { type: 'object' }] },
  { method: 'get', path: 'group-suggestions', tag: 'users', summary: 'Group names for share dialogs: every known group for administrators (complete: true), one\'s own groups for everyone else (complete: false); never an MLflow role\'s reserved group (grants to it are refused)', who: 'anyone authenticated', ok: [200, { type: 'object', properties: { groups: { type: 'array', items: { type: 'string' } }, complete: { type: 'boolean' } } }] },
  { method: 'get', path: 'sessions', tag: 'me', summary: 'Active browser sessions of a user, or of everyone (all=true, each with its user)', who: 'everyone (own); administrators (anyone\'s, all)', params: [q('user', 'username (default: yourself)'), q('all', 'true: the sessions of every user (administrators)', { enum: ['true', 'false'] })], ok: [200, list('sessions', 'Session')] },
  { method: 'delete', path: 'sessions/{id}', tag: 'me', summary: 'End a browser session', who: 'everyone (own); administrators (anyone\'s)', params: [p('id', 'session id')], ok: [204, null] },
  { method: 'get', path: 'tokens', tag: 'tokens', summary: 'Active personal access tokens', who: 'everyone (own); administrators (user= or all=true)', params: [q('user', 'username'), q('all', 'true: everyone\'s')], ok: [200, list('tokens', 'Token')] },
  { method: 'post', path: 'tokens', tag: 'tokens', summary: 'Create a personal access token (the secret is in this answer only)', who: 'everyone, from a session or an IdP token', body: 'TokenInput', ok: [201, 'NewToken'] },
  { method: 'post', path: 'tokens/{id}/rotate', tag: 'tokens', summary: 'New secret for a token', who: 'the owner; administrators', params: [p('id', 'token id')], ok: [200, 'NewToken'] },
  { method: 'delete', path: 'tokens/{id}', tag: 'tokens', summary: 'Revoke a token', who: 'the owner; administrators', params: [p('id', 'token id')], ok: [204, null] },
  { method: 'delete', path: 'tokens', tag: 'tokens', summary: 'Revoke every token of a user', who: 'everyone (own); administrators (user=)', params: [q('user', 'username')], ok: [200, { type: 'object', properties: { revoked: { type: 'integer' } } }] },
  { method: 'get', path: 'audit', tag: 'audit', summary: 'Audit events, newest first, paged by seq', who: 'administrators; anyone (own events)',
    params: [...AUDIT_FILTERS, q('cursor', 'next_cursor of the previous page'), q('limit', '1–500 (100)')], ok: [200, list('events', 'AuditEvent', { next_cursor: { type: ['string', 'null'] } })] },
  { method: 'get', path: 'audit/export', tag: 'audit', summary: 'Audit events as a CSV or JSON download (same filters)', who: 'administrators; anyone (own events)',
    params: [...AUDIT_FILTERS, q('format', 'csv or json', { enum: ['csv', 'json'] })], ok: [200, { type: 'array', items: { $ref: '#/components/schemas/AuditEvent' } }] },
  { method: 'post', path: 'access-requests', tag: 'access requests', summary: `Ask for a level on a resource, with a message (expires after ${ACCESS_REQUEST_TTL_DAYS} days)`, who: 'anyone authenticated (not a read-only token)', body: 'AccessRequestInput', ok: [201, wrap('access_request', 'AccessRequest')] },
  { method: 'get', path: 'access-requests', tag: 'access requests', summary: 'Your own requests (with their outcome) and the pending requests you may decide', who: 'anyone authenticated', ok: [200, { type: 'object', properties: { mine: { type: 'array', items: { $ref: '#/components/schemas/AccessRequest' } }, to_decide: { type: 'array', items: { $ref: '#/components/schemas/AccessRequest' } } } }] },
  { method: 'post', path: 'access-requests/{id}/approve', tag: 'access requests', summary: 'Approve: creates the requester\'s user grant (at the asked level, or at `level`)', who: 'administrators; MANAGE on the resource (not one\'s own request)', params: [p('id', 'request id (ar_…)')], body: 'AccessRequestApproval', ok: [200, { type: 'object', properties: { access_request: { $ref: '#/components/schemas/AccessRequest' }, previous_level: { type: ['string', 'null'] } } }] },
  { method: 'post', path: 'access-requests/{id}/decline', tag: 'access requests', summary: 'Decline, with an optional note for the requester', who: 'administrators; MANAGE on the resource (not one\'s own request)', params: [p('id', 'request id (ar_…)')], body: 'AccessRequestDecision', ok: [200, wrap('access_request', 'AccessRequest')] },
  { method: 'get', path: 'service-accounts', tag: 'service accounts', summary: 'Service accounts', who: 'administrators', ok: [200, list('service_accounts', 'ServiceAccount')] },
  { method: 'post', path: 'service-accounts', tag: 'service accounts', summary: 'Create a service account', who: 'administrators', body: 'ServiceAccountInput', ok: [201, wrap('service_account', 'ServiceAccount')] },
  { method: 'get', path: 'service-accounts/{name}', tag: 'service accounts', summary: 'One service account with its tokens, trust rules and OAuth clients', who: 'administrators', params: [p('name', 'account name')], ok: [200, { type: 'object' }] },
  { method: 'patch', path: 'service-accounts/{name}', tag: 'service accounts', summary: 'Change description, groups or disabled', who: 'administrators', params: [p('name', 'account name')], ok: [200, wrap('service_account', 'ServiceAccount')] },
  { method: 'delete', path: 'service-accounts/{name}', tag: 'service accounts', summary: 'Delete a service account with its tokens, grants and rules', who: 'administrators', params: [p('name', 'account name')], ok: [200, { type: 'object' }] },
  { method: 'post', path: 'service-accounts/{name}/tokens', tag: 'service accounts', summary: 'Mint a token for a service account', who: 'administrators', params: [p('name', 'account name')], body: 'TokenInput', ok: [201, 'NewToken'] },
  { method: 'get', path: 'service-accounts/{name}/tokens', tag: 'service accounts', summary: 'Tokens of a service account', who: 'administrators', params: [p('name', 'account name')], ok: [200, list('tokens', 'Token')] },
  { method: 'put', path: 'service-accounts/{name}/oauth-clients/{clientId}', tag: 'service accounts', summary: 'Let an OAuth client\'s client-credentials tokens act as the account', who: 'administrators', params: [p('name', 'account name'), p('clientId', 'client id at the IdP')], ok: [200, { type: 'object' }] },
  { method: 'delete', path: 'service-accounts/{name}/oauth-clients/{clientId}', tag: 'service accounts', summary: 'Remove an OAuth client mapping', who: 'administrators', params: [p('name', 'account name'), p('clientId', 'client id at the IdP')], ok: [204, null] },
  { method: 'get', path: 'trust-rules', tag: 'service accounts', summary: 'Workload identity federation rules and presets', who: 'administrators', ok: [200, list('trust_rules', 'TrustRule')] },
  { method: 'post', path: 'trust-rules', tag: 'service accounts', summary: 'Add a trust rule', who: 'administrators', body: 'TrustRuleInput', ok: [201, wrap('trust_rule', 'TrustRule')] },
  { method: 'delete', path: 'trust-rules/{id}', tag: 'service accounts', summary: 'Remove a trust rule', who: 'administrators', params: [p('id', 'rule id')], ok: [200, { type: 'object' }] },
  { method: 'get', path: 'scim', tag: 'provisioning', summary: 'SCIM status: endpoint, settings, provisioned users and groups, last sync, tokens', who: 'administrators', ok: [200, 'ScimStatus'] },
  { method: 'post', path: 'scim/tokens', tag: 'provisioning', summary: 'Create a SCIM token (shown once), optionally restricted to client addresses', who: 'administrators', body: 'ScimTokenInput', ok: [201, 'NewScimToken'] },
  { method: 'post', path: 'scim/tokens/{id}/rotate', tag: 'provisioning', summary: 'Rotate a SCIM token: new secret, the old one stops at once', who: 'administrators', params: [p('id', 'token id')], ok: [200, 'NewScimToken'] },
  { method: 'delete', path: 'scim/tokens/{id}', tag: 'provisioning', summary: 'Revoke a SCIM token', who: 'administrators', params: [p('id', 'token id')], ok: [200, { type: 'object' }] },
  { method: 'get', path: 'identity-providers', tag: 'provisioning', summary: 'Sign-in providers (OIDC, GitHub, SAML): what to register at each IdP (redirect, back-channel logout, SAML SP metadata/ACS/SLO URLs), discovery or metadata state', who: 'administrators', ok: [200, 'IdentityProviders'] },
];
