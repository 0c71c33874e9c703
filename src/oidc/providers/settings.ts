import { kinds } from '../../config/types.js';
import type { z } from 'zod';

/**
 * The settings every provider has, with how they are spelled in the environment
 * (`GATEWAY_PROVIDER_<ID>_<SUFFIX>`) and in the YAML file (`providers: [{ id, <key>: … }]`).
 * The classic single provider (`oidc`) reads the same settings from the `OIDC_*` variables
 * (`legacyKey` names the matching top-level setting in the schema).
 */
export interface ProviderSetting {
  readonly suffix: string;
  readonly schema: z.ZodType;
  readonly default?: string;
  readonly secret?: boolean;
  readonly legacyKey?: string;
}

export const PROVIDER_SETTINGS = {
  preset: { suffix: 'PRESET', schema: kinds.string(), legacyKey: 'preset' },
  displayName: { suffix: 'DISPLAY_NAME', schema: kinds.string(), legacyKey: 'providerDisplayName' },
  issuer: { suffix: 'ISSUER', schema: kinds.url(), legacyKey: 'issuer' },
  clientId: { suffix: 'CLIENT_ID', schema: kinds.string(), legacyKey: 'clientId' },
  clientSecret: { suffix: 'CLIENT_SECRET', schema: kinds.string(), secret: true, legacyKey: 'clientSecret' },
  scopes: { suffix: 'SCOPES', schema: kinds.list(), default: 'openid profile email', legacyKey: 'scopes' },
  redirectUri: { suffix: 'REDIRECT_URI', schema: kinds.url(), legacyKey: 'redirectUri' },
  usernameClaim: { suffix: 'USERNAME_CLAIM', schema: kinds.mapping(), default: 'preferred_username,email', legacyKey: 'usernameClaim' },
  emailClaim: { suffix: 'EMAIL_CLAIM', schema: kinds.mapping(), default: 'email', legacyKey: 'emailClaim' },
  groupsClaim: { suffix: 'GROUPS_CLAIM', schema: kinds.mapping(), default: 'groups', legacyKey: 'groupsClaim' },
  allowedGroups: { suffix: 'ALLOWED_GROUPS', schema: kinds.list(), default: '', legacyKey: 'allowedGroups' },
  adminGroups: { suffix: 'ADMIN_GROUPS', schema: kinds.list(), default: '', legacyKey: 'adminGroups' },
  audience: { suffix: 'AUDIENCE', schema: kinds.list(), legacyKey: 'audience' },
  algorithms: { suffix: 'ALGORITHMS', schema: kinds.list(), default: 'RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,EdDSA', legacyKey: 'algorithms' },
  linkByEmail: { suffix: 'LINK_BY_EMAIL', schema: kinds.bool(), default: 'false', legacyKey: 'linkByEmail' },
  // Presets and sign-in restrictions (src/idp-presets/, src/claims/restrictions.ts).
  allowedEmailDomains: { suffix: 'ALLOWED_EMAIL_DOMAINS', schema: kinds.list(), default: '', legacyKey: 'allowedEmailDomains' },
  hostedDomain: { suffix: 'HOSTED_DOMAIN', schema: kinds.list(), default: '', legacyKey: 'hostedDomain' },
  tenant: { suffix: 'TENANT', schema: kinds.string(), legacyKey: 'tenant' },
  userPoolId: { suffix: 'USER_POOL_ID', schema: kinds.string(), legacyKey: 'userPoolId' },
  claimNamespace: { suffix: 'CLAIM_NAMESPACE', schema: kinds.url(), legacyKey: 'claimNamespace' },
  graphUrl: { suffix: 'GRAPH_URL', schema: kinds.url(), default: 'https://graph.microsoft.com/v1.0', legacyKey: 'graphUrl' },
  apiUrl: { suffix: 'API_URL', schema: kinds.url(), legacyKey: 'apiUrl' },
  // SAML 2.0 providers (src/saml/): named providers only, the OIDC_* provider is always OpenID Connect.
  kind: { suffix: 'KIND', schema: kinds.enumOf(['oidc', 'saml']) },
  samlMetadata: { suffix: 'SAML_METADATA', schema: kinds.string() },
  samlIdpEntityId: { suffix: 'SAML_IDP_ENTITY_ID', schema: kinds.string() },
  samlSigned: { suffix: 'SAML_SIGNED', schema: kinds.enumOf(['either', 'assertion', 'response', 'both']), default: 'either' },
  samlBinding: { suffix: 'SAML_BINDING', schema: kinds.enumOf(['redirect', 'post']), default: 'redirect' },
  samlAllowUnsolicited: { suffix: 'SAML_ALLOW_UNSOLICITED', schema: kinds.bool(), default: 'false' },
  samlSigningKey: { suffix: 'SAML_SIGNING_KEY', schema: kinds.string(), secret: true },
  samlSigningCert: { suffix: 'SAML_SIGNING_CERT', schema: kinds.string() },
} as const satisfies Record<string, ProviderSetting>;

export type ProviderSettingKey = keyof typeof PROVIDER_SETTINGS;

/** `entra` → `GATEWAY_PROVIDER_ENTRA_`, `my-idp` → `GATEWAY_PROVIDER_MY_IDP_`. */
export function envPrefix(id: string): string {
  return `GATEWAY_PROVIDER_${id.toUpperCase().replace(/-/g, '_')}_`;
}

/** Provider ids: a slug, because it appears in URLs (`/_gateway/callback/<id>`) and variable names. */
export const PROVIDER_ID_RE = /^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
