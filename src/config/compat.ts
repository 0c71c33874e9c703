// mlflow-oidc-auth settings that have no counterpart under their own name. Names that mean the same
// thing are aliases in schema.ts (read, with a notice naming the new name). The ones below are
// either meaningless here (a notice says why they are ignored) or would silently weaken or change
// behaviour if ignored (refused: start-up fails with a problem naming what to do instead).
// Source: mlflow-oidc-auth's documented configuration (docs/configuration.md, mlflow_oidc_auth/config.py).

export interface ForeignSetting {
  readonly name: string;
  readonly action: 'ignored' | 'refused';
  /** Why, and what to use instead. */
  readonly reason: (value: string) => string;
  /** Refuse only some values (e.g. OIDC_VERIFY_SSL=false); others are ignored. */
  readonly refuseWhen?: (value: string) => boolean;
}

const falsy = (v: string) => ['false', '0', 'no', 'off', 'none', 'disable', 'disabled', 'plain'].includes(v.trim().toLowerCase());
const ENTRA_PLUGIN = 'mlflow_oidc_auth.plugins.group_detection_microsoft_entra_id';

export const FOREIGN_SETTINGS: readonly ForeignSetting[] = [
  { name: 'OIDC_USE_REFRESH_TOKEN', action: 'ignored', reason: () => 'the gateway always refreshes IdP tokens (with a refresh token) and re-reads groups at each refresh' },
  { name: 'OIDC_CODE_CHALLENGE', action: 'ignored', refuseWhen: falsy, reason: (v) => (falsy(v) ? 'PKCE (S256) cannot be turned off on this gateway; remove the setting' : 'PKCE with S256 is always used') },
  { name: 'OIDC_VERIFY_SSL', action: 'ignored', refuseWhen: falsy, reason: (v) => (falsy(v) ? 'TLS verification cannot be turned off; give Node the CA with NODE_EXTRA_CA_CERTS instead' : 'TLS certificates are always verified (add a private CA with NODE_EXTRA_CA_CERTS)') },
  { name: 'OIDC_SESSION_EXPIRY_LEEWAY_SECONDS', action: 'ignored', reason: () => 'sessions refresh IdP tokens a minute before they expire; see GATEWAY_SESSION_MAX_AGE and GATEWAY_SESSION_IDLE_TIMEOUT' },
  { name: 'OIDC_HTTP_TIMEOUT_SECONDS', action: 'ignored', reason: () => 'calls to the IdP time out after 10 seconds' },
  { name: 'OIDC_DISPLAY_NAME_FIELD', action: 'ignored', reason: () => 'the display name is read from the `name` claim' },
  { name: 'OIDC_TRUST_BEARER_GROUP_CLAIMS', action: 'ignored', reason: () => 'bearer JWTs are mapped with the same claim settings as sign-ins' },
  { name: 'OIDC_PROVISION_ON_BEARER_AUTH', action: 'ignored', reason: () => 'users are recorded on their first sign-in or valid bearer token' },
  { name: 'OIDC_GROUP_DETECTION_PLUGIN', action: 'refused', refuseWhen: (v) => v.trim() !== ENTRA_PLUGIN, reason: (v) => (v.trim() === ENTRA_PLUGIN ? 'the Entra ID group lookup is built in: use the entra preset (groups overage is read from Microsoft Graph)' : 'Python group plugins cannot run in the gateway; map groups with OIDC_GROUPS_CLAIM (expressions allowed) or use a preset') },
  { name: 'AUTH_PROVIDERS', action: 'refused', reason: () => 'configure several providers with GATEWAY_PROVIDERS and GATEWAY_PROVIDER_<ID>_* variables, or a providers: list in the YAML file (see "Coming from mlflow-oidc-auth" in the README)' },
  { name: 'AUTH_PROVIDERS_FILE', action: 'refused', reason: () => 'configure several providers with a providers: list in the YAML file named by GATEWAY_CONFIG_FILE' },
  { name: 'PERMISSION_SOURCE_ORDER', action: 'refused', refuseWhen: (v) => v.replace(/\s/g, '') !== 'user,group,regex,group-regex', reason: () => 'the order is fixed: user grants, then group grants, then pattern rules' },
  { name: 'AUTOMATIC_LOGIN_REDIRECT', action: 'ignored', reason: () => 'browsers without a session are sent to the sign-in page automatically' },
  { name: 'PERMISSION_CACHE_TTL_SECONDS', action: 'ignored', reason: () => 'grants take effect at once; GATEWAY_RESOLVER_CACHE_TTL caches only which experiment a run belongs to' },
  { name: 'OIDC_ALEMBIC_VERSION_TABLE', action: 'ignored', reason: () => 'the gateway has its own store and migrations (GATEWAY_DATABASE_URL)' },
  { name: 'OIDC_DB_POOL_SIZE', action: 'ignored', reason: () => 'the store connection pool is sized by the gateway' },
  { name: 'OIDC_DB_POOL_MAX_OVERFLOW', action: 'ignored', reason: () => 'the store connection pool is sized by the gateway' },
  { name: 'OIDC_DB_POOL_RECYCLE_SECONDS', action: 'ignored', reason: () => 'the store connection pool is sized by the gateway' },
  { name: 'CACHE_BACKEND', action: 'ignored', reason: () => 'no permission cache to share: grants are read from the store' },
  { name: 'CACHE_REDIS_URL', action: 'ignored', reason: () => 'no permission cache to share: grants are read from the store' },
  { name: 'SESSION_COOKIE_SAMESITE', action: 'ignored', reason: () => 'the session cookie is always SameSite=Lax' },
  { name: 'SESSION_COOKIE_SECURE', action: 'ignored', reason: () => 'the cookie is Secure whenever GATEWAY_PUBLIC_URL is https' },
  { name: 'EXTEND_MLFLOW_MENU', action: 'ignored', reason: () => 'the gateway bar is always added to MLflow\'s pages' },
  { name: 'DEFAULT_LANDING_PAGE_IS_PERMISSIONS', action: 'ignored', reason: () => 'sign-in returns to the page that asked for it; the admin UI is at <mount>/_gateway/ui/' },
];

/**
 * Checks the environment for mlflow-oidc-auth settings: ignored ones produce a notice, refused
 * ones a problem. Returns [notices, problems].
 */
export function foreignSettingMessages(env: Record<string, string | undefined>): { notices: string[]; problems: Array<{ env: string; message: string }> } {
  const notices: string[] = [];
  const problems: Array<{ env: string; message: string }> = [];
  for (const s of FOREIGN_SETTINGS) {
    const value = env[s.name];
    if (value === undefined) continue;
    const refused = s.action === 'refused' ? (s.refuseWhen?.(value) ?? true) : (s.refuseWhen?.(value) ?? false);
    if (refused) problems.push({ env: s.name, message: `is an mlflow-oidc-auth setting this gateway refuses: ${s.reason(value)}` });
    else notices.push(`${s.name} (mlflow-oidc-auth) is ignored: ${s.reason(value)}.`);
  }
  // mlflow-oidc-auth discovers from OIDC_DISCOVERY_URL and may pin bearer tokens to another OIDC_ISSUER;
  // here one issuer serves both, so two different ones would silently drop one of them.
  const discovery = env.OIDC_DISCOVERY_URL?.trim().replace(/\/\.well-known\/openid-configuration\/?$/, '');
  const issuer = env.OIDC_ISSUER?.trim();
  if (discovery && issuer && discovery !== issuer) {
    problems.push({ env: 'OIDC_DISCOVERY_URL', message: `names the issuer ${discovery}, but OIDC_ISSUER is ${issuer}: one issuer serves sign-in and bearer tokens here; keep OIDC_ISSUER only (a second token issuer is a second provider, see GATEWAY_PROVIDERS)` });
  }
  return { notices, problems };
}
