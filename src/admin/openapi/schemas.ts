// JSON Schemas of the API's answers and bodies (components of the OpenAPI document). Kept next
// to the endpoint table; the integration test checks the document against the live routes.
type Schema = Record<string, unknown>;

const str = { type: 'string' };
const strOrNull = { type: ['string', 'null'] };
const bool = { type: 'boolean' };
import { GRANT_LEVELS, LEVELS, RESOURCE_TYPES } from '../../policy/index.js';

/** What a decision comes out at. */
const level = { type: 'string', enum: [...LEVELS] };
/** What a grant or rule gives: a level, or DENY (beats every other grant and rule except administrator). */
const grantLevel = { type: 'string', enum: [...GRANT_LEVELS] };
const resourceType = { type: 'string', enum: [...RESOURCE_TYPES] };
const overrideParentDeny = { type: 'boolean', description: 'grants on child resources only, administrators only: the grant decides for the child even under a DENY on the parent' };
const principalType = { type: 'string', enum: ['user', 'group'] };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const list = (items: Schema) => ({ type: 'array', items });
const obj = (properties: Record<string, Schema>, required: string[] = Object.keys(properties)): Schema => ({ type: 'object', properties, required });

const scimToken = obj({ id: str, name: str, allowed_cidrs: { type: ['array', 'null'], items: str }, created_at: str, created_by: str, last_used_at: strOrNull, last_used_ip: strOrNull, revoked_at: strOrNull });

export const SCHEMAS: Record<string, Schema> = {
  ScimToken: scimToken,
  ScimTokenInput: obj({ name: str, allowed_cidrs: { type: 'array', items: str, description: 'CIDRs the token is accepted from (empty or absent: any)' } }, ['name']),
  NewScimToken: obj({ token: { type: 'string', description: 'mogscim_…: shown only in this answer' }, scim_token: ref('ScimToken') }),
  ScimStatus: obj({
    endpoint: str, link_by: { type: 'string', enum: ['externalId', 'userName', 'email'] }, group_source: { type: 'string', enum: ['claims', 'scim', 'both'] }, provider: str,
    users: obj({ total: { type: 'integer' }, active: { type: 'integer' }, linked: { type: 'integer' } }), groups: { type: 'integer' }, last_sync: strOrNull, tokens: list(ref('ScimToken')),
  }),
  IdentityProviders: obj({
    providers: list(obj({
      id: str, display_name: str, kind: { type: 'string', enum: ['oidc', 'github', 'saml'] }, issuer: { type: 'string', description: 'OIDC issuer; for SAML the IdP entity id' }, default: bool,
      redirect_uri: { type: 'string', description: 'OIDC callback; for SAML the assertion consumer service' }, backchannel_logout_uri: strOrNull,
      discovered: { type: 'boolean', description: 'OIDC discovery (SAML: the IdP metadata) has been read' }, scim_links: bool,
      saml: { type: ['object', 'null'], description: 'SAML providers only: what the IdP administrator imports, and the signature policy', properties: {
        sp_entity_id: str, sp_metadata_url: str, acs_url: str, slo_url: str, idp_metadata: str,
        signed: { type: 'string', enum: ['either', 'assertion', 'response', 'both'] }, binding: { type: 'string', enum: ['redirect', 'post'] }, allow_unsolicited: bool,
      } },
    })),
  }),
  Error: obj({
    error_code: { type: 'string', description: 'MLflow error code for the situation, e.g. PERMISSION_DENIED (what MLflow clients act on)' },
    gateway_code: { type: 'string', description: 'The gateway\'s stable code, e.g. GW_DENIED (see the README\'s error table)' },
    message: { type: 'string', description: 'What went wrong and how to fix it' },
  }, ['error_code', 'message', 'gateway_code']),
  Grant: obj({ principal_type: principalType, principal: str, user_id: str, resource_type: resourceType, resource_id: str, level: grantLevel, override_parent_deny: overrideParentDeny }, ['principal_type', 'principal', 'resource_type', 'resource_id', 'level']),
  GrantInput: obj({ principal_type: principalType, principal: { type: 'string', description: 'username or group name' }, resource_type: resourceType, resource_id: str, level: grantLevel, override_parent_deny: overrideParentDeny }, ['principal_type', 'principal', 'resource_type', 'resource_id', 'level']),
  GrantKey: obj({ principal_type: principalType, principal: str, resource_type: resourceType, resource_id: str }),
  Pattern: obj({ id: str, principal_type: principalType, principal: str, user_id: str, resource_type: resourceType, matcher: { type: 'string', enum: ['glob', 'regex'] }, pattern: str, level: grantLevel }, ['id', 'principal_type', 'principal', 'resource_type', 'matcher', 'pattern', 'level']),
  PatternChange: { type: 'object', additionalProperties: false, minProperties: 1, properties: { matcher: { type: 'string', enum: ['glob', 'regex'] }, pattern: str, level: grantLevel } },
  PatternInput: obj({ principal_type: principalType, principal: str, resource_type: resourceType, matcher: { type: 'string', enum: ['glob', 'regex'] }, pattern: str, level: grantLevel }),
  ExplainInput: obj({
    user: str, action: { type: 'string', enum: ['read', 'use', 'update', 'delete', 'manage'] },
    resource: obj({ type: resourceType, id: str, name: str, parent: obj({ type: resourceType, id: str, name: str }, ['type', 'id']) }, ['type', 'id']),
  }),
  Decision: obj({ allow: bool, level, required: level, source: { type: 'string', enum: ['admin', 'deny', 'user-grant', 'group-grant', 'pattern', 'default', 'token-scope', 'token-read-only'] }, reason: str }),
  Explanation: obj({ user: str, action: str, resource: { type: 'object' }, decision: ref('Decision'), considered: { type: 'object', description: 'every grant and pattern rule the policy looked at, the default level and the token limits' } }),
  ProtectedKey: obj({
    id: str, resource_type: { type: 'string', enum: ['registered_model', 'prompt', 'model_version', 'prompt_version', 'experiment', 'run'] }, resource_pattern: str,
    target: { type: 'string', enum: ['alias', 'tag'] }, key_pattern: str, required_level: { type: ['string', 'null'], enum: [...LEVELS, null] }, allowed_groups: list(str), created_at: str, created_by: str,
  }),
  ProtectedKeyInput: obj({
    resource_type: { type: 'string', enum: ['registered_model', 'prompt', 'model_version', 'prompt_version', 'experiment', 'run'] },
    resource_pattern: { type: 'string', description: 'glob on the model / prompt / experiment name (versions: their model; runs: their experiment); default *' },
    target: { type: 'string', enum: ['alias', 'tag'] }, key_pattern: { type: 'string', description: 'glob on the alias or tag key: champion, prod*' },
    required_level: level, allowed_groups: list(str),
  }, ['resource_type', 'target', 'key_pattern']),
  TeamDefault: obj({
    id: str, resource_type: { type: 'string', enum: ['experiment', 'registered_model', 'prompt'] }, level, grant_to: { type: 'string', enum: ['creator_groups', 'groups'] },
    group_pattern: strOrNull, groups: list(str), creator_group: strOrNull, created_at: str, created_by: str,
  }),
  TeamDefaultInput: obj({
    resource_type: { type: 'string', enum: ['experiment', 'registered_model', 'prompt'] }, level, grant_to: { type: 'string', enum: ['creator_groups', 'groups'] },
    group_pattern: { type: 'string', description: 'grant_to creator_groups: only the creator\'s groups matching this glob' },
    groups: list(str), creator_group: { type: 'string', description: 'only when the creator is in this group' },
  }, ['resource_type', 'level', 'grant_to']),
  User: obj({ id: str, username: str, email: strOrNull, display_name: strOrNull, groups: list(str), is_admin: bool, disabled: bool, kind: { type: 'string', enum: ['person', 'service'] }, created_at: str, last_login_at: strOrNull, provider: strOrNull }),
  Session: obj({ id: str, created_at: str, expires_at: str, last_seen_at: str, ip: strOrNull, user_agent: strOrNull, current: { type: 'boolean', description: 'the session of this request' }, user: { type: 'string', description: 'the session\'s user (in the answer to all=true only)' } }),
  Token: obj({ id: str, name: str, prefix: str, owner: strOrNull, created_at: str, expires_at: str, last_used_at: strOrNull, last_used_ip: strOrNull, read_only: bool, scope: { type: ['array', 'null'] }, revoked_at: strOrNull }),
  NewToken: { allOf: [ref('Token'), obj({ token: { type: 'string', description: 'The secret, shown in this answer only' } })] },
  TokenInput: obj({ name: str, expires_in_days: { type: 'number' }, read_only: bool, scope: list(obj({ type: resourceType, id: str })) }, ['name']),
  UserDetail: obj({
    user: ref('User'), grants: list(ref('Grant')), patterns: list(ref('Pattern')),
    groups: list(obj({ name: str, admin_group: bool, grants: list(ref('Grant')) })),
    tokens: list({ type: 'object', description: 'active tokens: id, name, times, limits (never a secret)' }), sessions: list(ref('Session')),
  }),
  Group: obj({ name: str, admin_group: bool, members: list(str), grants: list(ref('Grant')), patterns: list(ref('Pattern')), created: { oneOf: [obj({ by: str, at: str, description: strOrNull }), { type: 'null' }] }, role: { oneOf: [obj({ id: { type: 'integer' }, name: strOrNull, workspace: strOrNull }), { type: 'null' }] } }),
  GroupInput: obj({ name: { type: 'string', description: 'exact group name, as the identity provider sends it' }, description: str }, ['name']),
  GrantUndo: obj({ undo: { type: 'string', description: 'the undo ticket of a PUT or DELETE grants answer' } }),
  Access: obj({
    resource: obj({ type: resourceType, id: str, name: strOrNull }), action: str, default_level: level,
    users: list(obj({ username: str, display_name: strOrNull, kind: str, disabled: bool, level, source: str, reason: str })),
    groups: list(obj({ group: str, level, source: str, reason: str })),
  }),
  AuditEvent: obj({ seq: { type: 'integer' }, time: str, actor: strOrNull, action: str, resource: strOrNull, decision: { type: 'string', enum: ['allow', 'deny', 'info'] }, reason: strOrNull, request_id: strOrNull, client_ip: strOrNull }),
  AccessRequest: obj({
    id: str, requester: str, resource_type: resourceType, resource_id: str, resource_name: { type: ['string', 'null'], description: 'shown to those who may decide' },
    level, message: str, status: { type: 'string', enum: ['pending', 'approved', 'declined', 'expired'] }, created_at: str, expires_at: str,
    decided_at: strOrNull, decided_by: strOrNull, note: strOrNull, can_decide: bool,
  }),
  AccessRequestInput: obj({ resource_type: resourceType, resource_id: str, level: { type: 'string', enum: ['READ', 'USE', 'EDIT', 'MANAGE'] }, message: { type: 'string', maxLength: 1000 } }, ['resource_type', 'resource_id', 'level']),
  AccessRequestApproval: obj({ level: { type: 'string', enum: ['READ', 'USE', 'EDIT', 'MANAGE'], description: 'grant this level instead of the asked one' }, note: { type: 'string', maxLength: 1000 } }, []),
  AccessRequestDecision: obj({ note: { type: 'string', maxLength: 1000 } }, []),
  ServiceAccount: { type: 'object', description: 'name, description, groups, disabled, created_by, created_at' },
  ServiceAccountInput: obj({ name: str, description: str, groups: list(str) }, ['name']),
  TrustRule: { type: 'object', description: 'id, name, issuer, jwks_url, audience, preset, conditions, service_account' },
  TrustRuleInput: obj({ name: str, preset: str, issuer: str, jwks_url: str, audience: str, service_account: str, conditions: list(obj({ claim: str, value: str, matcher: { type: 'string', enum: ['exact', 'glob'] } }, ['claim', 'value'])) }, ['name', 'service_account']),
};
