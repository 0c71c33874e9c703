// Provider presets: the quirks of the identity providers people use, as default settings.
// A preset only fills in what the operator left unset (issuer from a template, scopes, where the
// username, email and groups are) and checks the settings that preset needs. Pure functions.
// The quirks that need code at sign-in (Google's hosted domain, Entra's groups overage, GitHub's
// REST identity) are keyed by preset name in src/idp-presets/sign-in-hooks.ts and src/github/.

export type PresetKind = 'oidc' | 'github';

/** The provider settings a preset reads and writes (camelCase names, operator string form). */
export type PresetSettings = Readonly<Record<string, unknown>>;

export interface PresetDefinition {
  readonly kind: PresetKind;
  /** What the README and error messages call it. */
  readonly title: string;
  defaults(settings: PresetSettings): Record<string, unknown>;
  /** Problems as [setting, message]. */
  validate?(settings: PresetSettings): Array<[string, string]>;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** A claim name as a path segment of a mapping expression: dots escaped; undefined if it cannot be one. */
function pathSegment(name: string): string | undefined {
  if (/[\s()|,+"]/.test(name)) return undefined;
  return name.replace(/\\/g, '\\\\').replace(/\./g, '\\.');
}

/** Entra ID tenants that are not one tenant: their tokens come from any tenant's issuer. */
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);
/**
 * The tenant id (a GUID). Not a domain: Entra's discovery document and tokens name the tenant by id
 * (`https://login.microsoftonline.com/<GUID>/v2.0`), so an issuer built from a domain would match neither.
 */
const TENANT_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Cognito user pool ids are `<region>_<id>`, e.g. `eu-west-1_AbCdEf123`. */
const USER_POOL_RE = /^([a-z]{2}(?:-[a-z]+)+-\d)_[A-Za-z0-9]+$/;

export const PRESET_CATALOG = {
  keycloak: {
    kind: 'oidc', title: 'Keycloak',
    defaults: (s) => {
      const client = text(s.clientId);
      const segment = client ? pathSegment(client) : undefined;
      return {
        displayName: 'Keycloak',
        usernameClaim: 'preferred_username,email',
        // Groups from a "groups" mapper, realm roles, and this client's roles, all together.
        groupsClaim: `groups + realm_access.roles${segment ? ` + resource_access.${segment}.roles` : ''}`,
      };
    },
  },
  okta: {
    kind: 'oidc', title: 'Okta',
    // The `groups` scope exists on Okta's org authorization server only; custom servers add a groups claim instead.
    defaults: () => ({ displayName: 'Okta', scopes: 'openid profile email', usernameClaim: 'preferred_username,email', groupsClaim: 'groups' }),
  },
  auth0: {
    kind: 'oidc', title: 'Auth0',
    defaults: (s) => {
      // Auth0 only lets an Action add custom claims under a namespace URL, e.g. https://ml.example.com/groups.
      const ns = text(s.claimNamespace)?.replace(/\/+$/, '');
      const segment = ns ? pathSegment(ns) : undefined;
      return {
        displayName: 'Auth0', scopes: 'openid profile email', usernameClaim: 'email,nickname',
        groupsClaim: segment ? `${segment}/groups | ${segment}/roles` : 'groups',
      };
    },
    validate: (s) => {
      const ns = text(s.claimNamespace);
      return ns !== undefined && (!URL.canParse(ns) || pathSegment(ns) === undefined) ? [['claimNamespace', 'must be the URL your Auth0 Action uses as claim namespace, e.g. https://ml.example.com']] : [];
    },
  },
  entra: {
    kind: 'oidc', title: 'Microsoft Entra ID',
    defaults: (s) => {
      const tenant = text(s.tenant);
      return {
        displayName: 'Microsoft',
        ...(tenant && TENANT_RE.test(tenant) && !MULTI_TENANT.has(tenant.toLowerCase()) ? { issuer: `https://login.microsoftonline.com/${tenant}/v2.0` } : {}),
        scopes: 'openid profile email offline_access',
        usernameClaim: 'preferred_username,email,upn',
        // Security groups (object ids, or names for synced groups) and app roles.
        groupsClaim: 'groups + roles',
      };
    },
    validate: (s) => {
      const tenant = text(s.tenant);
      const problems: Array<[string, string]> = [];
      if (tenant !== undefined && MULTI_TENANT.has(tenant.toLowerCase())) problems.push(['tenant', `must be your tenant id or domain: "${tenant}" would let accounts of every Entra ID tenant sign in`]);
      else if (tenant !== undefined && !TENANT_RE.test(tenant)) problems.push(['tenant', 'must be the tenant id, a GUID (Entra ID > Overview > Tenant ID): tokens name the tenant by id, not by domain']);
      const issuer = text(s.issuer);
      if (tenant === undefined && issuer === undefined) problems.push(['tenant', 'is required for the entra preset (or set the issuer https://login.microsoftonline.com/<tenant>/v2.0)']);
      if (issuer !== undefined && /\/(common|organizations|consumers)\//i.test(`${issuer}/`)) problems.push(['issuer', 'must name one tenant: the common/organizations/consumers issuers accept accounts of every tenant']);
      return problems;
    },
  },
  google: {
    kind: 'oidc', title: 'Google',
    defaults: () => ({ displayName: 'Google', issuer: 'https://accounts.google.com', scopes: 'openid profile email', usernameClaim: 'email', groupsClaim: 'groups' }),
  },
  cognito: {
    kind: 'oidc', title: 'Amazon Cognito',
    defaults: (s) => {
      const pool = text(s.userPoolId);
      const region = pool ? USER_POOL_RE.exec(pool)?.[1] : undefined;
      return {
        displayName: 'Amazon Cognito',
        ...(region ? { issuer: `https://cognito-idp.${region}.amazonaws.com/${pool}` } : {}),
        scopes: 'openid profile email',
        usernameClaim: 'preferred_username,cognito:username,email',
        groupsClaim: 'cognito:groups',
      };
    },
    validate: (s) => {
      const pool = text(s.userPoolId);
      if (pool !== undefined && !USER_POOL_RE.test(pool)) return [['userPoolId', 'must be a Cognito user pool id such as eu-west-1_AbCdEf123']];
      if (pool === undefined && text(s.issuer) === undefined) return [['userPoolId', 'is required for the cognito preset (or set the issuer https://cognito-idp.<region>.amazonaws.com/<pool id>)']];
      return [];
    },
  },
  dex: {
    kind: 'oidc', title: 'Dex',
    defaults: () => ({ displayName: 'Dex', scopes: 'openid profile email groups offline_access', usernameClaim: 'preferred_username,email', groupsClaim: 'groups' }),
  },
  authentik: {
    kind: 'oidc', title: 'authentik',
    // authentik's default `profile` scope mapping puts the `groups` claim (group names) in the ID token.
    defaults: () => ({ displayName: 'authentik', scopes: 'openid profile email', usernameClaim: 'preferred_username,email', groupsClaim: 'groups' }),
  },
  gitlab: {
    kind: 'oidc', title: 'GitLab',
    // userinfo has `groups` (every group, sub-groups included); the ID token only `groups_direct`.
    defaults: () => ({ displayName: 'GitLab', issuer: 'https://gitlab.com', scopes: 'openid profile email', usernameClaim: 'nickname,preferred_username', groupsClaim: 'groups | groups_direct' }),
  },
  github: {
    kind: 'github', title: 'GitHub',
    defaults: () => ({ displayName: 'GitHub', issuer: 'https://github.com', apiUrl: 'https://api.github.com', scopes: 'read:user user:email read:org', usernameClaim: 'login', groupsClaim: 'groups' }),
  },
} as const satisfies Record<string, PresetDefinition>;

export type PresetName = keyof typeof PRESET_CATALOG;
export const PRESET_NAMES = Object.keys(PRESET_CATALOG) as PresetName[];
