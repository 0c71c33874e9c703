import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration } from 'kysely';

// Versioned, append-only schema migrations. Never edit a shipped migration: add a new one.
// Portable types only (text, bigint epoch-milliseconds, integer 0/1) so SQLite and PostgreSQL share them.

export type Dialect = 'sqlite' | 'postgres';

export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
  '0001_core': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('subject_key', 'text', (c) => c.notNull().unique())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('email', 'text')
        .addColumn('display_name', 'text')
        .addColumn('groups_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('kind', 'text', (c) => c.notNull().defaultTo('person'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_login_at', 'bigint')
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('tokens_sealed', 'text')
        .addColumn('idp_expires_at', 'bigint')
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
      await db.schema
        .createTable('grants')
        .addColumn('principal_type', 'text', (c) => c.notNull())
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('resource_type', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('grants_pk', ['resource_type', 'resource_id', 'principal_type', 'principal'])
        .execute();
      await db.schema.createIndex('grants_principal').on('grants').columns(['principal_type', 'principal', 'resource_type']).execute();
      await db.schema
        .createTable('pattern_rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('principal_type', 'text', (c) => c.notNull())
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('resource_type', 'text', (c) => c.notNull())
        .addColumn('matcher', 'text', (c) => c.notNull())
        .addColumn('pattern', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('audit_events')
        .addColumn('seq', dialect === 'postgres' ? 'bigint' : 'integer', (c) => (dialect === 'postgres' ? c.generatedAlwaysAsIdentity().primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('time', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('resource', 'text')
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('request_id', 'text')
        .addColumn('client_ip', 'text')
        .execute();
      await db.schema.createIndex('audit_time').on('audit_events').column('time').execute();
    },
  },
  '0002_api_tokens': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('last_used_ip', 'text')
        .addColumn('read_only', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('scope_json', 'text')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('api_tokens_user').on('api_tokens').columns(['user_id', 'revoked_at']).execute();
    },
  },
  // Service accounts are users (kind 'service') with a description; trust rules and OAuth client
  // mappings say which outside credentials act as one. All go with the account (cascade).
  '0003_service_accounts_federation': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('service_accounts')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('description', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('trust_rules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('issuer', 'text', (c) => c.notNull())
        .addColumn('jwks_url', 'text')
        .addColumn('audience', 'text', (c) => c.notNull())
        .addColumn('preset', 'text')
        .addColumn('conditions_json', 'text', (c) => c.notNull())
        .addColumn('service_account_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('trust_rules_issuer').on('trust_rules').column('issuer').execute();
      await db.schema
        .createTable('oauth_clients')
        .addColumn('client_id', 'text', (c) => c.primaryKey())
        .addColumn('service_account_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
    },
  },
  // The audit log is queried by actor, action and resource (newest first, paged by seq) and is
  // append-only: the database itself refuses to change an event. Retention deletes whole old events.
  '0004_audit_queries': {
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('audit_actor').on('audit_events').columns(['actor', 'seq']).execute();
      await db.schema.createIndex('audit_action').on('audit_events').columns(['action', 'seq']).execute();
      await db.schema.createIndex('audit_resource').on('audit_events').columns(['resource', 'seq']).execute();
      if (dialect === 'sqlite') {
        await sql`create trigger audit_events_append_only before update on audit_events
          begin select raise(abort, 'audit events are append-only'); end`.execute(db);
      } else {
        await sql`create function audit_events_append_only() returns trigger language plpgsql as
          $$ begin raise exception 'audit events are append-only'; end $$`.execute(db);
        await sql`create trigger audit_events_append_only before update on audit_events
          for each row execute function audit_events_append_only()`.execute(db);
      }
    },
  },
  // Several identity providers: a person's account can have more than one identity (provider,
  // subject), linked only by verified email when a provider allows it. Every existing person's own
  // identity is recorded; its email counts as unverified until the next sign-in says otherwise,
  // and its provider stays unknown (null: the default provider) until then.
  '0005_user_identities': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('user_identities')
        .addColumn('subject_key', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('provider', 'text')
        .addColumn('email', 'text')
        .addColumn('email_verified', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_login_at', 'bigint')
        .execute();
      await db.schema.createIndex('user_identities_user').on('user_identities').column('user_id').execute();
      await db.schema.createIndex('user_identities_email').on('user_identities').column('email').execute();
      await db.schema.alterTable('users').addColumn('provider', 'text').execute();
      await sql`insert into user_identities (subject_key, user_id, provider, email, email_verified, created_at, last_login_at)
        select subject_key, id, null, email, 0, created_at, last_login_at from users where kind = 'person'`.execute(db);
    },
  },
  // The permission model of issue #16. Grants and pattern rules may now say DENY (the level column
  // is text, so no change there) and sit on child resources (runs, traces, logged models, model and
  // prompt versions: new resource_type values, no change either). A grant on a child may lift a
  // parent's DENY when an administrator says so (override_parent_deny). Protected-key rules guard
  // aliases and tag keys; team defaults give groups a level on what their members create.
  // Grants on registered models that are really prompts are moved by a startup reconciliation that
  // asks MLflow (src/permissions/prompt-reconcile.ts): a migration cannot know which models are prompts.
  '0006_permission_model': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('grants').addColumn('override_parent_deny', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema
        .createTable('protected_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('resource_type', 'text', (c) => c.notNull())
        .addColumn('resource_pattern', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('key_pattern', 'text', (c) => c.notNull())
        .addColumn('required_level', 'text')
        .addColumn('allowed_groups_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('protected_keys_type').on('protected_keys').columns(['resource_type', 'target']).execute();
      await db.schema
        .createTable('team_defaults')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('resource_type', 'text', (c) => c.notNull())
        .addColumn('creator_group', 'text')
        .addColumn('grant_to', 'text', (c) => c.notNull())
        .addColumn('group_pattern', 'text')
        .addColumn('groups_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('team_defaults_type').on('team_defaults').column('resource_type').execute();
    },
  },
  // Enterprise identity lifecycle (issue #18). Sessions remember the IdP session they came from
  // (`<issuer>#<sid>`) and subject (`<issuer>#<sub>`), so a back-channel logout token can end them.
  // One-time ids (logout-token jti, SAML assertion ids) are claimed here, so a replay is refused by
  // every replica; expired ones are pruned.
  '0008_enterprise_identity': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('sessions').addColumn('idp_subject', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('idp_sid', 'text').execute();
      await db.schema.createIndex('sessions_idp_subject').on('sessions').column('idp_subject').execute();
      await db.schema.createIndex('sessions_idp_sid').on('sessions').column('idp_sid').execute();
      await db.schema
        .createTable('one_time_ids')
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('one_time_ids_pk', ['namespace', 'id'])
        .execute();
      await db.schema.createIndex('one_time_ids_expiry').on('one_time_ids').column('expires_at').execute();
      // SCIM 2.0 provisioning: bearer tokens of provisioning clients (hashed like personal tokens),
      // provisioned people (a users row made ahead of sign-in, with the SCIM resource as sent) and
      // groups with their members. The users row stays the account; SCIM adds what the IdP pushed.
      await db.schema
        .createTable('scim_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('allowed_cidrs_json', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('last_used_ip', 'text')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createTable('scim_users')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('external_id', 'text')
        .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('doc_json', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('claim_groups_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('linked_at', 'bigint')
        .execute();
      await db.schema.createIndex('scim_users_external_id').on('scim_users').column('external_id').execute();
      await db.schema
        .createTable('scim_groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('display_name', 'text', (c) => c.notNull().unique())
        .addColumn('external_id', 'text')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('scim_group_members')
        .addColumn('group_id', 'text', (c) => c.notNull().references('scim_groups.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('scim_group_members_pk', ['group_id', 'user_id'])
        .execute();
      await db.schema.createIndex('scim_group_members_user').on('scim_group_members').column('user_id').execute();
    },
  },
  // Access requests (src/access-requests): a user asks for a level on a resource; a manager of it
  // (or an administrator) approves — which creates the grant — or declines. Listed by status and
  // by resource (managers' inboxes) and by requester (one's own requests).
  '0007_access_requests': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('access_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('requester_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('resource_type', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('decided_at', 'bigint')
        .addColumn('decided_by', 'text')
        .addColumn('decision_note', 'text')
        .execute();
      await db.schema.createIndex('access_requests_status').on('access_requests').columns(['status', 'created_at']).execute();
      await db.schema.createIndex('access_requests_requester').on('access_requests').columns(['requester_id', 'created_at']).execute();
      await db.schema.createIndex('access_requests_resource').on('access_requests').columns(['resource_type', 'resource_id']).execute();
    },
  },
  // Groups an administrator creates ahead of use (src/admin/group-routes.ts): suggested in share
  // dialogs and grant forms like groups seen at sign-ins or from SCIM. Only the name matters to
  // the policy; the row just makes the name known.
  '0010_known_groups': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('known_groups')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('description', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .execute();
    },
  },
  // MLflow auth-API roles (src/auth-api/roles.ts): the records MLflow's roles/* endpoints answer
  // with. What a role lets its members do is not here: each permission is also a grant or pattern
  // rule of the reserved group `mlflow-role:<id>` (written in the same transaction), and each
  // member has that group among their groups, so the policy needs no new concept. Integer ids, as
  // MLflow's clients expect (role_id is an int there), never reused (AUTOINCREMENT, identity): a
  // grant someone left on a deleted role's group can never reach a later role.
  '0011_mlflow_roles': {
    async up(db: Kysely<unknown>) {
      const id = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.generatedAlwaysAsIdentity().primaryKey() : c.primaryKey().autoIncrement());
      await db.schema
        .createTable('roles')
        .addColumn('id', 'integer', id)
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('workspace', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('roles_workspace_name', ['workspace', 'name'])
        .execute();
      await db.schema
        .createTable('role_permissions')
        .addColumn('id', 'integer', id)
        .addColumn('role_id', 'integer', (c) => c.notNull().references('roles.id').onDelete('cascade'))
        .addColumn('resource_type', 'text', (c) => c.notNull())
        .addColumn('resource_pattern', 'text', (c) => c.notNull())
        .addColumn('permission', 'text', (c) => c.notNull())
        .addUniqueConstraint('role_permissions_target', ['role_id', 'resource_type', 'resource_pattern'])
        .execute();
      await db.schema
        .createTable('role_members')
        .addColumn('id', 'integer', id)
        .addColumn('role_id', 'integer', (c) => c.notNull().references('roles.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addUniqueConstraint('role_members_pair', ['role_id', 'user_id'])
        .execute();
      await db.schema.createIndex('role_members_user').on('role_members').column('user_id').execute();
    },
  },
  };
}
