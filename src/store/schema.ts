// Row types as kysely sees them. Times are epoch milliseconds; booleans are 0/1.
export interface Tables {
  users: {
    id: string; subject_key: string; username: string; email: string | null; display_name: string | null;
    groups_json: string; is_admin: number; disabled: number; kind: string; created_at: number; last_login_at: number | null;
    /** Provider of the latest sign-in (null: service accounts, and people not signed in since 0005). */
    provider: string | null;
  };
  user_identities: {
    subject_key: string; user_id: string; provider: string | null; email: string | null; email_verified: number;
    created_at: number; last_login_at: number | null;
  };
  sessions: {
    id: string; secret_hash: string; user_id: string; created_at: number; expires_at: number; last_seen_at: number;
    tokens_sealed: string | null; idp_expires_at: number | null; ip: string | null; user_agent: string | null;
    /** `<issuer>#<sub>` and `<issuer>#<sid>` of the IdP sign-in (0008; null: GitHub, or older sessions). */
    idp_subject: string | null; idp_sid: string | null;
  };
  one_time_ids: { namespace: string; id: string; expires_at: number };
  scim_tokens: {
    id: string; name: string; secret_hash: string; allowed_cidrs_json: string | null; created_at: number; created_by: string;
    last_used_at: number | null; last_used_ip: string | null; revoked_at: number | null;
  };
  scim_users: {
    user_id: string; external_id: string | null; active: number; doc_json: string; version: number; claim_groups_json: string;
    created_at: number; updated_at: number; linked_at: number | null;
  };
  scim_groups: { id: string; display_name: string; external_id: string | null; version: number; created_at: number; updated_at: number };
  scim_group_members: { group_id: string; user_id: string };
  grants: {
    principal_type: string; principal: string; resource_type: string; resource_id: string; level: string; created_at: number;
    /** 0/1 (0006): a child grant that decides even under a DENY on the parent. */
    override_parent_deny: import('kysely').Generated<number>;
  };
  protected_keys: {
    id: string; resource_type: string; resource_pattern: string; target: string; key_pattern: string; required_level: string | null;
    allowed_groups_json: string; created_at: number; created_by: string;
  };
  team_defaults: {
    id: string; resource_type: string; creator_group: string | null; grant_to: string; group_pattern: string | null; groups_json: string;
    level: string; created_at: number; created_by: string;
  };
  pattern_rules: {
    id: string; principal_type: string; principal: string; resource_type: string; matcher: string; pattern: string; level: string; created_at: number;
  };
  api_tokens: {
    id: string; user_id: string; name: string; secret_hash: string; created_at: number; expires_at: number;
    last_used_at: number | null; last_used_ip: string | null; read_only: number; scope_json: string | null; revoked_at: number | null;
  };
  service_accounts: { user_id: string; description: string | null; created_by: string };
  trust_rules: {
    id: string; name: string; issuer: string; jwks_url: string | null; audience: string; preset: string | null;
    conditions_json: string; service_account_id: string; created_at: number; created_by: string;
  };
  oauth_clients: { client_id: string; service_account_id: string; created_at: number; created_by: string };
  access_requests: {
    id: string; requester_id: string; resource_type: string; resource_id: string; level: string; message: string; status: string;
    created_at: number; expires_at: number; decided_at: number | null; decided_by: string | null; decision_note: string | null;
  };
  known_groups: { name: string; description: string | null; created_at: number; created_by: string };
  roles: { id: import('kysely').Generated<number>; name: string; workspace: string; description: string | null; created_at: number };
  role_permissions: { id: import('kysely').Generated<number>; role_id: number; resource_type: string; resource_pattern: string; permission: string };
  role_members: { id: import('kysely').Generated<number>; role_id: number; user_id: string };
  audit_events: {
    seq: import('kysely').Generated<number>; time: number; actor: string | null; action: string; resource: string | null;
    decision: string; reason: string | null; request_id: string | null; client_ip: string | null;
  };
}
