import { PRESET_NAMES, type PresetName } from '../idp-presets/catalog.js';
import { LEVELS } from '../policy/types.js';
import { field, kinds } from './types.js';

/**
 * The gateway's configuration: one annotated table. Environment variables win over the YAML file
 * (whose keys are the camelCase names below). The README's reference table is generated from it.
 */
export const SCHEMA = {
  // ── Upstream ─────────────────────────────────────────────────────────────
  upstreamUrl: field({
    env: 'MLFLOW_UPSTREAM_URL', group: 'Upstream', schema: kinds.url(), required: true,
    description: 'Base URL of the MLflow tracking server the gateway protects, e.g. `http://127.0.0.1:5000`. Include MLflow\'s `--static-prefix` in the path if it runs with one.',
  }),
  upstreamTimeout: field({
    env: 'GATEWAY_UPSTREAM_TIMEOUT', group: 'Upstream', schema: kinds.duration(0.1, 3600), default: '60s',
    description: 'How long to wait for MLflow to start answering (response headers) or between two body chunks before answering 504.',
  }),
  upstreamConnectTimeout: field({
    env: 'GATEWAY_UPSTREAM_CONNECT_TIMEOUT', group: 'Upstream', schema: kinds.duration(0.1, 120), default: '5s',
    description: 'How long to wait for a TCP connection to MLflow before answering 502.',
  }),
  // ── Gateway ──────────────────────────────────────────────────────────────
  publicUrl: field({
    env: 'GATEWAY_PUBLIC_URL', group: 'Gateway', schema: kinds.url(), required: true,
    description: 'The URL users and clients use to reach the gateway. Its path is the mount point (e.g. `https://ml.example.com/mlflow`); its origin is the only allowed `return_to` target and CSRF origin.',
  }),
  host: field({
    env: 'GATEWAY_HOST', group: 'Gateway', schema: kinds.string(), default: '127.0.0.1',
    description: 'Interface to listen on. Use `0.0.0.0` in a container.',
  }),
  port: field({
    env: 'GATEWAY_PORT', group: 'Gateway', schema: kinds.int(0, 65535), default: '8080',
    description: 'TCP port to listen on (0 picks a free port).',
  }),
  databaseUrl: field({
    env: 'GATEWAY_DATABASE_URL', aliases: ['OIDC_USERS_DB_URI'], group: 'Gateway', schema: kinds.string(), default: 'sqlite:./.data/gateway.db',
    description: 'Store location: `sqlite:<path>` (relative to the working directory), `sqlite::memory:`, or `postgres://user:password@host:5432/db` (PostgreSQL; `?sslmode=…` and the other libpq URL parameters work). Every replica may run the migrations at start-up: they take a PostgreSQL advisory lock.',
  }),
  databasePoolSize: field({
    env: 'GATEWAY_DATABASE_POOL_SIZE', group: 'Gateway', schema: kinds.int(1, 1000), default: '10',
    description: 'Most PostgreSQL connections one gateway process holds (ignored for SQLite). Size the server\'s `max_connections` for replicas × this.',
  }),
  secret: field({
    env: 'GATEWAY_SECRET', aliases: ['SECRET_KEY'], group: 'Gateway', schema: kinds.string().refine((s) => s.length >= 32, 'must be at least 32 characters (use `openssl rand -base64 48`)'), required: true, secret: true,
    description: 'Key material (≥ 32 characters) for encrypting the short-lived sign-in cookie. Rotate by restarting with a new value (in-flight sign-ins restart).',
  }),
  trustedProxies: field({
    env: 'GATEWAY_TRUSTED_PROXIES', aliases: ['TRUSTED_PROXIES'], group: 'Gateway', schema: kinds.list(), default: '',
    description: 'IPs/CIDRs of load balancers whose `X-Forwarded-For`/`-Proto` are believed. Empty: the socket address is the client.',
  }),
  maxJsonBody: field({
    env: 'GATEWAY_MAX_JSON_BODY', group: 'Gateway', schema: kinds.int(1024, 1024 ** 3), default: '33554432',
    description: 'Largest JSON request body (bytes) the gateway reads to find resource ids; also the limit of an OTLP span export (`/v1/traces`), compressed and decompressed. Artifact bodies are streamed and not limited by this.',
  }),
  bodyMemory: field({
    env: 'GATEWAY_BODY_MEMORY', group: 'Gateway', schema: kinds.int(1024 * 1024, 64 * 1024 ** 3), defaultText: 'half of V8\'s heap limit (set by `--max-old-space-size` or the container\'s memory)',
    description: 'Memory (bytes) for the request and MLflow answer bodies the gateway holds at once — JSON bodies read to find ids, searches filtered page by page, answers re-encoded — each counted at 3 × its size (what parsing it costs). A request that would pass the budget gets `503 GW_BUSY` with `Retry-After`; one that needs more than all of it, `413 GW_BODY_TOO_LARGE`. Streamed bodies (artifacts, most answers) are not counted.',
  }),
  // ── Identity provider ────────────────────────────────────────────────────
  // These OIDC_* settings configure the classic single provider, whose id is `oidc`. Further
  // providers come from GATEWAY_PROVIDERS (src/oidc/providers/); each has the same settings.
  providers: field({
    env: 'GATEWAY_PROVIDERS', group: 'Identity provider', schema: kinds.list(), default: '',
    defaultText: '(empty): only the `OIDC_*` provider',
    description: 'Ids of further identity providers (slugs: `a-z`, `0-9`, `-`), e.g. `entra,github`. Each is configured by `GATEWAY_PROVIDER_<ID>_<SETTING>` variables (`<ID>` upper-cased, `-` as `_`): `ISSUER`, `CLIENT_ID`, `CLIENT_SECRET`, `SCOPES`, `REDIRECT_URI`, `DISPLAY_NAME`, `USERNAME_CLAIM`, `EMAIL_CLAIM`, `GROUPS_CLAIM`, `ALLOWED_GROUPS`, `ADMIN_GROUPS`, `AUDIENCE`, `ALGORITHMS`, `LINK_BY_EMAIL`, `PRESET`, `ALLOWED_EMAIL_DOMAINS`, `HOSTED_DOMAIN`, `TENANT`, `USER_POOL_ID`, `CLAIM_NAMESPACE`, `GRAPH_URL`, `API_URL`, and for SAML 2.0 providers `KIND=saml` with `SAML_METADATA`, `SAML_IDP_ENTITY_ID`, `SAML_SIGNED`, `SAML_BINDING`, `SAML_ALLOW_UNSOLICITED`, `SAML_SIGNING_KEY`, `SAML_SIGNING_CERT` (see [SAML 2.0](saml.md)) — same meaning and defaults as the `OIDC_*` settings below, except that the display name defaults to the id and the redirect URI to `<GATEWAY_PUBLIC_URL>/_gateway/callback/<id>`. In the YAML file, `providers:` is a list of mappings with `id` and those settings in camelCase (`displayName`, `clientId`, `linkByEmail`…); variables win over the file. The `OIDC_*` provider, if set, has id `oidc` and comes first; the first provider keeps the callback `/_gateway/callback`. Issuers must differ between providers.',
  }),
  issuer: field({
    env: 'OIDC_ISSUER', aliases: ['OIDC_DISCOVERY_URL'], group: 'Identity provider', schema: kinds.url(), defaultText: '**required** unless `GATEWAY_PROVIDERS` is set',
    description: 'OpenID Provider issuer URL. A discovery URL ending in `/.well-known/openid-configuration` is accepted too.',
  }),
  clientId: field({
    env: 'OIDC_CLIENT_ID', group: 'Identity provider', schema: kinds.string(), defaultText: '**required** with `OIDC_ISSUER`',
    description: 'Client id registered at the IdP for the gateway.',
  }),
  clientSecret: field({
    env: 'OIDC_CLIENT_SECRET', group: 'Identity provider', schema: kinds.string(), secret: true,
    description: 'Client secret (confidential client). Leave unset for a public client; PKCE is always used.',
  }),
  scopes: field({
    env: 'OIDC_SCOPES', aliases: ['OIDC_SCOPE'], group: 'Identity provider', schema: kinds.list(), default: 'openid profile email',
    description: 'Scopes requested at sign-in (space- or comma-separated). Add `groups` or `offline_access` if your IdP needs them.',
  }),
  redirectUri: field({
    env: 'OIDC_REDIRECT_URI', group: 'Identity provider', schema: kinds.url(), defaultText: '`<GATEWAY_PUBLIC_URL>/_gateway/callback`',
    description: 'Redirect URI registered at the IdP. Must point at this gateway\'s `/_gateway/callback` (or `/_gateway/callback/oidc`).',
  }),
  usernameClaim: field({
    env: 'OIDC_USERNAME_CLAIM', aliases: ['OIDC_USERNAME_FIELD'], group: 'Identity provider', schema: kinds.mapping(), default: 'preferred_username,email',
    description: 'Where the username comes from: claims tried in order (`preferred_username,email`), or a claim mapping expression such as `preferred_username | localpart(email)` (see [Claim mapping](#claim-mapping)).',
  }),
  emailClaim: field({
    env: 'OIDC_EMAIL_CLAIM', group: 'Identity provider', schema: kinds.mapping(), default: 'email',
    description: 'Claim path (or mapping expression) of the email address.',
  }),
  groupsClaim: field({
    env: 'OIDC_GROUPS_CLAIM', aliases: ['OIDC_GROUPS_ATTRIBUTE'], group: 'Identity provider', schema: kinds.mapping(), default: 'groups',
    description: 'Claim path of the groups, e.g. `groups`, `realm_access.roles`, `cognito:groups`, `https://example.com/groups`, or a mapping expression such as `realm_access.roles + resource_access.mlflow.roles` or `strip_prefix(groups, "mlflow-")` (see [Claim mapping](#claim-mapping)). A string claim is read as a comma-separated list.',
  }),
  allowedGroups: field({
    env: 'OIDC_ALLOWED_GROUPS', aliases: ['OIDC_GROUP_NAME'], group: 'Identity provider', schema: kinds.list(), default: '',
    description: 'Only members of these groups may use the gateway at all (admins always may). Empty: every authenticated user.',
  }),
  adminGroups: field({
    env: 'OIDC_ADMIN_GROUPS', aliases: ['OIDC_ADMIN_GROUP_NAME'], group: 'Identity provider', schema: kinds.list(), default: '',
    description: 'Members of these groups are gateway administrators (bypass resource permissions).',
  }),
  preset: field({
    env: 'OIDC_PRESET', group: 'Identity provider', schema: kinds.enumOf(PRESET_NAMES as [PresetName, ...PresetName[]]),
    description: 'Fills in a provider\'s quirks (issuer, scopes, claim mapping, sign-in checks); settings you give still win. See [Identity provider presets](#identity-provider-presets).',
  }),
  allowedEmailDomains: field({
    env: 'OIDC_ALLOWED_EMAIL_DOMAINS', group: 'Identity provider', schema: kinds.list(), default: '',
    description: 'Only people whose email address is at one of these domains may sign in (`example.com` exactly; `*.example.com` for its subdomains). The address must have exactly one `@` and no quotes or comments, and `email_verified` must not be false. Empty: no restriction.',
  }),
  hostedDomain: field({
    env: 'OIDC_HOSTED_DOMAIN', group: 'Identity provider', schema: kinds.list(), default: '',
    description: 'Google: only accounts of these Google Workspace domains, checked on the ID token\'s `hd` claim (one domain is also sent as the `hd` hint). Empty: any Google account.',
  }),
  tenant: field({
    env: 'OIDC_TENANT', group: 'Identity provider', schema: kinds.string(),
    description: 'Entra ID preset: the tenant id (a GUID); the issuer becomes `https://login.microsoftonline.com/<tenant id>/v2.0`. `common`, `organizations`, `consumers` and domain names are refused.',
  }),
  userPoolId: field({
    env: 'OIDC_USER_POOL_ID', group: 'Identity provider', schema: kinds.string(),
    description: 'Cognito preset: the user pool id (`eu-west-1_AbCdEf123`); the issuer becomes `https://cognito-idp.<region>.amazonaws.com/<pool id>`.',
  }),
  claimNamespace: field({
    env: 'OIDC_CLAIM_NAMESPACE', group: 'Identity provider', schema: kinds.url(),
    description: 'Auth0 preset: the namespace URL your Action puts custom claims under; groups are read from `<namespace>/groups`, else `<namespace>/roles`.',
  }),
  graphUrl: field({
    env: 'OIDC_GRAPH_URL', group: 'Identity provider', schema: kinds.url(), default: 'https://graph.microsoft.com/v1.0',
    description: 'Entra ID preset: Microsoft Graph base URL (national clouds differ), read when a token has too many groups to carry them (groups overage).',
  }),
  apiUrl: field({
    env: 'OIDC_API_URL', group: 'Identity provider', schema: kinds.url(), defaultText: '`https://api.github.com` with the github preset',
    description: 'GitHub preset: REST API base URL; for GitHub Enterprise Server `https://<host>/api/v3` (and the issuer `https://<host>`).',
  }),
  linkByEmail: field({
    env: 'OIDC_LINK_BY_EMAIL', group: 'Identity provider', schema: kinds.bool(), default: 'false',
    description: 'With several providers: a person signing in through this provider with a verified email (`email_verified: true`) is signed in to the existing account that has the same verified email, instead of being refused. Off: accounts of different providers never merge.',
  }),
  audience: field({
    env: 'OIDC_AUDIENCE', group: 'Identity provider', schema: kinds.list(), defaultText: 'the client id',
    description: 'Accepted `aud` values for bearer JWTs (access tokens issued for the gateway, or ID tokens whose audience is the client id).',
  }),
  algorithms: field({
    env: 'OIDC_ALGORITHMS', group: 'Identity provider', schema: kinds.list(), default: 'RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,EdDSA',
    description: 'Allowed JWT signature algorithms. Asymmetric only: `none` and `HS*` are refused.',
  }),
  clockSkew: field({
    env: 'OIDC_CLOCK_SKEW', group: 'Identity provider', schema: kinds.duration(0, 300), default: '30s',
    description: 'Tolerance applied to `exp`, `nbf` and `iat` of tokens.',
  }),
  jwksCacheMaxAge: field({
    env: 'OIDC_JWKS_CACHE_MAX_AGE', aliases: ['OIDC_JWKS_CACHE_TTL_SECONDS'], group: 'Identity provider', schema: kinds.duration(10, 86400), default: '10m',
    description: 'How long fetched signing keys are trusted before a refetch. An unknown `kid` triggers a refetch sooner (at most every 30 s).',
  }),
  jwksCooldown: field({
    env: 'OIDC_JWKS_COOLDOWN', group: 'Identity provider', schema: kinds.duration(0, 600), default: '30s',
    description: 'Minimum time between two JWKS refetches triggered by unknown `kid`s (protects the IdP from token spraying).',
  }),
  providerDisplayName: field({
    env: 'OIDC_PROVIDER_DISPLAY_NAME', group: 'Identity provider', schema: kinds.string(), default: 'Single sign-on',
    description: 'Name of the identity provider shown on sign-in pages.',
  }),
  cliClientId: field({
    env: 'OIDC_CLI_CLIENT_ID', group: 'Identity provider', schema: kinds.string(),
    description: 'Client id of a public client (no secret, PKCE) registered at the IdP for `mlflow-oidc-gateway login`: allow the device authorization grant, or the redirect URI `http://127.0.0.1/callback` with any port (a native app). Its access tokens must carry an audience from `OIDC_AUDIENCE`. Unset: CLI login is off.',
  }),
  // ── Sessions ─────────────────────────────────────────────────────────────
  sessionMaxAge: field({
    env: 'GATEWAY_SESSION_MAX_AGE', aliases: ['SESSION_COOKIE_MAX_AGE_SECONDS'], group: 'Sessions', schema: kinds.duration(60, 90 * 86400), default: '12h',
    description: 'Absolute lifetime of a browser session; after it the IdP is asked again.',
  }),
  sessionIdleTimeout: field({
    env: 'GATEWAY_SESSION_IDLE_TIMEOUT', group: 'Sessions', schema: kinds.duration(60, 90 * 86400), default: '2h',
    description: 'A session unused for this long ends.',
  }),
  cookieName: field({
    env: 'GATEWAY_COOKIE_NAME', aliases: ['SESSION_COOKIE_NAME'], group: 'Sessions', schema: kinds.string().refine((s) => /^[A-Za-z0-9_-]+$/.test(s), 'letters, digits, _ and - only'), default: 'mlflow_gateway_session',
    description: 'Name of the session cookie (HttpOnly, SameSite=Lax). With an https public URL it is Secure and sent as `__Host-<name>` with Path=/ (no other origin of the host can plant one); the sign-in state cookie is `<name>_login`, prefixed the same way.',
  }),
  // ── Authorization ────────────────────────────────────────────────────────
  defaultPermission: field({
    env: 'GATEWAY_DEFAULT_PERMISSION', aliases: ['DEFAULT_MLFLOW_PERMISSION'], group: 'Authorization', schema: kinds.enumOf(LEVELS), default: 'NO_PERMISSIONS',
    description: 'Permission on a resource when no user grant, group grant or pattern rule applies.',
  }),
  creators: field({
    env: 'GATEWAY_CREATORS', group: 'Authorization', schema: kinds.list(), default: 'everyone',
    description: 'Who may create experiments, registered models and prompts: `everyone`, or a list of groups (administrators always may). The creator gets MANAGE on what they create.',
  }),
  resolverCacheTtl: field({
    env: 'GATEWAY_RESOLVER_CACHE_TTL', group: 'Authorization', schema: kinds.duration(0, 3600), default: '30s',
    description: 'How long the owner of a child object (run → experiment, model version → model…) is cached. Deletes and renames through the gateway invalidate at once.',
  }),
  enableAssistant: field({
    env: 'GATEWAY_ENABLE_ASSISTANT', group: 'Authorization', schema: kinds.bool(), default: 'false',
    description: 'Allow administrators to reach MLflow\'s assistant routes (they run code on the server). Blocked for everyone when false.',
  }),
  // ── Caching and replicas ─────────────────────────────────────────────────
  redisUrl: field({
    env: 'GATEWAY_REDIS_URL', group: 'Caching and replicas', secret: true,
    schema: kinds.string().refine((s) => URL.canParse(s) && /^rediss?:$/.test(new URL(s).protocol), 'must be a redis:// or rediss:// URL'),
    description: 'Redis shared by the replicas (`redis://[:password@]host:6379/0`, `rediss://` for TLS): carries cache invalidations between replicas (pub/sub) and the failed-authentication counters. Unset: a single SQLite replica invalidates in-process; PostgreSQL replicas use LISTEN/NOTIFY.',
  }),
  cacheTtl: field({
    env: 'GATEWAY_CACHE_TTL', group: 'Caching and replicas', schema: kinds.duration(0, 3600), default: '30s',
    description: 'Longest time a token, session, user, pattern rule or trust rule is served from memory. Changes invalidate at once (on every replica within 1 s); this is only a backstop. `0` turns these caches off.',
  }),
  grantCacheTtl: field({
    env: 'GATEWAY_GRANT_CACHE_TTL', group: 'Caching and replicas', schema: kinds.duration(0, 3600), default: '5s',
    description: 'Longest time the grants of one caller on one resource are served from memory (invalidated at once by grant changes). `0` turns this cache off.',
  }),
  // ── Tokens ───────────────────────────────────────────────────────────────
  tokenDefaultTtl: field({
    env: 'GATEWAY_TOKEN_DEFAULT_TTL', group: 'Tokens', schema: kinds.duration(60, 3650 * 86400), default: '90d',
    description: 'Lifetime of a personal access token when its creator does not choose one.',
  }),
  tokenMaxTtl: field({
    env: 'GATEWAY_TOKEN_MAX_TTL', group: 'Tokens', schema: kinds.duration(60, 3650 * 86400), default: '365d',
    description: 'Longest lifetime a personal access token may be given; longer requests are refused.',
  }),
  authFailureLimit: field({
    env: 'GATEWAY_AUTH_FAILURE_LIMIT', group: 'Tokens', schema: kinds.int(1, 100000), default: '20',
    description: 'Failed token or Basic attempts allowed per client address and per username within the window before answering 429.',
  }),
  authFailureWindow: field({
    env: 'GATEWAY_AUTH_FAILURE_WINDOW', group: 'Tokens', schema: kinds.duration(1, 86400), default: '5m',
    description: 'Window over which failed token or Basic attempts are counted (and how long a blocked client waits at most).',
  }),
  // ── Provisioning (SCIM 2.0, src/scim) ────────────────────────────────────
  scimLinkBy: field({
    env: 'GATEWAY_SCIM_LINK_BY', group: 'Provisioning (SCIM)', schema: kinds.enumOf(['externalId', 'userName', 'email'] as const), default: 'userName',
    description: 'How a person provisioned by SCIM is joined by their first sign-in through `GATEWAY_SCIM_PROVIDER`: `userName` (the SCIM userName equals the username claim, case-insensitively), `email` (the SCIM email equals the verified email claim) or `externalId` (the SCIM externalId equals the claim `GATEWAY_SCIM_EXTERNAL_ID_CLAIM`). More than one match is refused.',
  }),
  scimExternalIdClaim: field({
    env: 'GATEWAY_SCIM_EXTERNAL_ID_CLAIM', group: 'Provisioning (SCIM)', schema: kinds.string(), default: 'sub',
    description: 'The ID-token claim compared with the SCIM `externalId` when `GATEWAY_SCIM_LINK_BY=externalId` (Entra ID: `oid` when its provisioning maps `objectId` to externalId; Okta: `sub`).',
  }),
  scimProvider: field({
    env: 'GATEWAY_SCIM_PROVIDER', group: 'Provisioning (SCIM)', schema: kinds.string(),
    description: 'Id of the identity provider whose identities join SCIM-provisioned accounts (the IdP that provisions). Default: the first provider. Identities of other providers never join a provisioned account.',
  }),
  scimGroupSource: field({
    env: 'GATEWAY_SCIM_GROUP_SOURCE', group: 'Provisioning (SCIM)', schema: kinds.enumOf(['claims', 'scim', 'both'] as const), default: 'claims',
    description: 'Where a provisioned person\'s groups come from: `claims` (the IdP\'s groups claim at sign-in, as for everyone), `scim` (SCIM group membership only) or `both` (their union). The administrator flag always comes from the claims.',
  }),
  // ── Logging ──────────────────────────────────────────────────────────────
  auditRetention: field({
    env: 'GATEWAY_AUDIT_RETENTION', group: 'Logging', schema: kinds.duration(86400, 100 * 365 * 86400), default: '365d',
    description: 'How long audit events (sign-ins, token use, grant changes, denied requests, allowed writes) are kept in the store; older ones are pruned hourly. Every event is also a JSON log line.',
  }),
  logLevel: field({
    env: 'LOG_LEVEL', group: 'Logging', schema: kinds.enumOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, { caseless: true }), default: 'info',
    description: 'pino log level. Logs are JSON lines and never contain tokens, cookies or secrets.',
  }),
  // ── Operations ───────────────────────────────────────────────────────────
  metricsPort: field({
    env: 'GATEWAY_METRICS_PORT', group: 'Operations', schema: kinds.int(0, 65535),
    description: 'Serve Prometheus metrics at `/metrics` on this separate port (0 picks a free port). Unset: no separate listener.',
  }),
  metricsHost: field({
    env: 'GATEWAY_METRICS_HOST', group: 'Operations', schema: kinds.string(), default: '127.0.0.1',
    description: 'Interface of the metrics listener. Loopback by default; use `0.0.0.0` in a pod scraped over the network, which then requires `GATEWAY_METRICS_TOKEN`.',
  }),
  metricsToken: field({
    env: 'GATEWAY_METRICS_TOKEN', group: 'Operations', schema: kinds.string().refine((s) => s.length >= 16, 'must be at least 16 characters'), secret: true,
    description: 'Bearer token a scraper must present. When set, metrics are also served at `<mount>/_gateway/metrics` on the main port, and the separate listener requires it too.',
  }),
  shutdownGrace: field({
    env: 'GATEWAY_SHUTDOWN_GRACE', group: 'Operations', schema: kinds.duration(0, 3600), default: '30s',
    description: 'On SIGTERM/SIGINT: readiness turns false, new connections are refused, and in-flight requests and streams get this long to finish before they are cut.',
  }),
  shutdownDelay: field({
    env: 'GATEWAY_SHUTDOWN_DELAY', group: 'Operations', schema: kinds.duration(0, 300), default: '0s',
    description: 'On SIGTERM/SIGINT, keep accepting new connections this long while readiness answers 503, so a load balancer stops routing here before the listener closes (e.g. `5s` on Kubernetes instead of a preStop sleep). The grace period starts after it.',
  }),
  otelTracesExporter: field({
    env: 'OTEL_TRACES_EXPORTER', group: 'Operations', schema: kinds.enumOf(['otlp', 'none'] as const, { caseless: true }),
    description: 'OpenTelemetry traces exporter: `otlp` (OTLP/HTTP JSON) or `none`. Unset: `otlp` when an OTLP endpoint is set. With it, each proxied request gets a gateway span, the child of a valid incoming `traceparent`; without it, a valid `traceparent`/`tracestate` is still forwarded to MLflow and malformed ones are dropped.',
  }),
  otlpEndpoint: field({
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT', group: 'Operations', schema: kinds.url(),
    description: 'OTLP/HTTP base URL of the collector (traces go to `<url>/v1/traces`). Other standard `OTEL_EXPORTER_OTLP_*` variables (headers, timeout) are read by the exporter itself.',
  }),
  otlpTracesEndpoint: field({
    env: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', group: 'Operations', schema: kinds.url(),
    description: 'Full OTLP/HTTP traces URL; wins over `OTEL_EXPORTER_OTLP_ENDPOINT`.',
  }),
  otelServiceName: field({
    env: 'OTEL_SERVICE_NAME', group: 'Operations', schema: kinds.string(), default: 'mlflow-oidc-gateway',
    description: 'The `service.name` of the gateway\'s spans.',
  }),
} as const;

export type SchemaKey = keyof typeof SCHEMA;
