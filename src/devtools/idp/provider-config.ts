import type {
  Account,
  ClientMetadata,
  Configuration,
  JWK as ProviderJwk,
  KoaContextWithOIDC,
  ResourceServer,
  errors as OidcErrors,
} from 'oidc-provider';

import type { MemoryStore } from './memory-adapter.js';
import type { UserDirectory } from './users.js';
import {
  deviceCodeInputPage, deviceConfirmPage, deviceSuccessPage, loggedOutPage, logoutPage, messagePage,
} from './views.js';
import { INTERACTION_PREFIX } from './interactions.js';

/** A client registered with the demo IdP. */
export interface DemoClient {
  clientId: string;
  clientSecret?: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
  /** Default: authorization_code + refresh_token. */
  grantTypes?: string[];
  /** Public client (token_endpoint_auth_method none, PKCE only). */
  public?: boolean;
  /**
   * 'native' for command-line and desktop apps: a loopback redirect URI (http://127.0.0.1/…)
   * then matches on any port (RFC 8252 §7.3), as a CLI's short-lived local listener needs.
   */
  applicationType?: 'web' | 'native';
  /**
   * OpenID Connect Back-Channel Logout 1.0: where the IdP POSTs a logout token (with `sid`) when
   * the person's IdP session ends (RP-initiated logout at the IdP, or `endSessions` in tests).
   */
  backchannelLogoutUri?: string;
}

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
export const DEFAULT_GRANT_TYPES = ['authorization_code', 'refresh_token'];
export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'groups', 'offline_access'];

export interface ProviderSettings {
  users: UserDirectory;
  clients: DemoClient[];
  store: MemoryStore;
  signingKeys: ProviderJwk[];
  cookieKeys: string[];
  audience: string;
  resourceIndicator: string;
  accessTokenTtl: number;
  idTokenTtl: number;
  refreshTokenTtl: number;
  errors: typeof OidcErrors;
}

/** Cookie names are prefixed so they don't collide with the gateway's cookies on 127.0.0.1 (browsers ignore ports). */
export const COOKIE_NAMES = {
  session: 'demo_idp_session',
  interaction: 'demo_idp_interaction',
  resume: 'demo_idp_resume',
} as const;

export function clientMetadata(client: DemoClient): ClientMetadata {
  const grantTypes = client.grantTypes ?? DEFAULT_GRANT_TYPES;
  const isPublic = client.public === true;
  if (!client.clientId) throw new Error('demo IdP: every client needs a clientId');
  if (!isPublic && !client.clientSecret) {
    throw new Error(`demo IdP: client '${client.clientId}' needs a clientSecret (or public: true)`);
  }
  if (isPublic && grantTypes.includes('client_credentials')) {
    throw new Error(`demo IdP: public client '${client.clientId}' cannot use client_credentials`);
  }
  if (grantTypes.includes('authorization_code') && client.redirectUris.length === 0) {
    throw new Error(`demo IdP: client '${client.clientId}' uses authorization_code and needs a redirect URI`);
  }
  return {
    client_id: client.clientId,
    ...(isPublic ? {} : { client_secret: client.clientSecret }),
    client_name: client.clientId,
    grant_types: [...grantTypes],
    response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
    redirect_uris: [...client.redirectUris],
    post_logout_redirect_uris: [...(client.postLogoutRedirectUris ?? [])],
    token_endpoint_auth_method: isPublic ? 'none' : 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
    ...(client.applicationType ? { application_type: client.applicationType } : {}),
    ...(client.backchannelLogoutUri ? { backchannel_logout_uri: client.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
  };
}

/** The complete oidc-provider configuration of the demo IdP. */
export function providerConfiguration(s: ProviderSettings): Configuration {
  const { users, errors } = s;
  const resourceServer: ResourceServer = {
    scope: SUPPORTED_SCOPES.join(' '),
    audience: s.audience,
    accessTokenFormat: 'jwt',
    accessTokenTTL: s.accessTokenTtl,
    jwt: { sign: { alg: 'RS256' } },
  };

  return {
    adapter: s.store.factory,
    // oidc-provider's own fetch refuses special-use addresses (SSRF defence), loopback included;
    // the demo IdP's relying parties (back-channel logout) are all on loopback, and only there.
    fetch: (url, options = {}) => {
      const host = new URL(url instanceof Request ? url.url : url).hostname;
      if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) return Promise.reject(new Error(`demo IdP: refusing to call ${host} (loopback only)`));
      const { dispatcher: _ssrfGuard, ...rest } = options as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(url, rest);
    },
    clients: s.clients.map(clientMetadata),
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    clientDefaults: {
      grant_types: DEFAULT_GRANT_TYPES,
      id_token_signed_response_alg: 'RS256',
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    jwks: { keys: s.signingKeys },
    cookies: {
      keys: s.cookieKeys,
      names: { ...COOKIE_NAMES },
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    responseTypes: ['code'],
    scopes: SUPPORTED_SCOPES,
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: [users.groupsClaimName],
    },
    // Put the scope-granted claims into the ID token so that it alone carries username, email, groups.
    conformIdTokenClaims: false,
    async findAccount(_ctx: KoaContextWithOIDC, sub: string): Promise<Account | undefined> {
      const user = users.bySubject(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: () => users.claims(user) };
    },
    interactions: {
      url: (_ctx, interaction) => `${INTERACTION_PREFIX}${interaction.uid}`,
    },
    pkce: { required: () => true },
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    async extraTokenClaims(_ctx, token) {
      const claims: Record<string, unknown> = { azp: token.clientId };
      if (token.kind === 'AccessToken') {
        const user = users.bySubject(token.accountId);
        if (user) {
          Object.assign(claims, {
            preferred_username: user.username,
            name: user.name,
            email: user.email,
            email_verified: user.emailVerified ?? true,
            ...users.groupsClaims(user),
          });
        }
      }
      return claims;
    },
    clientBasedCORS(_ctx, origin, client) {
      return client.redirectUris?.some((uri) => URL.canParse(uri) && new URL(uri).origin === origin) ?? false;
    },
    ttl: {
      AccessToken: s.accessTokenTtl,
      ClientCredentials: s.accessTokenTtl,
      IdToken: s.idTokenTtl,
      RefreshToken: s.refreshTokenTtl,
      AuthorizationCode: 60,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
      PreAuthorizedCode: 600,
      Interaction: 3600,
      Session: Math.max(s.refreshTokenTtl, 3600),
      Grant: Math.max(s.refreshTokenTtl, 3600),
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = messagePage('Sign-in error', 'The identity provider could not process the request.', {
        error: out.error,
        description: out.error_description,
      });
    },
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      // Access tokens are JWTs for the gateway's audience, so the userinfo endpoint (which only
      // accepts audience-less opaque tokens) would be unusable; all claims are in the ID token.
      userinfo: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => {
          if (!oneOf) return s.resourceIndicator;
          return oneOf.includes(s.resourceIndicator) ? s.resourceIndicator : oneOf;
        },
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator === s.resourceIndicator || indicator === s.audience) return resourceServer;
          throw new errors.InvalidTarget();
        },
      },
      deviceFlow: {
        enabled: true,
        userCodeInputSource(ctx, form, _out, err) {
          let message: string | undefined;
          if (err && ('userCode' in err || err.name === 'NoCodeError')) message = 'The code you entered is incorrect. Try again.';
          else if (err?.name === 'AbortedError') message = 'The sign-in request was cancelled.';
          else if (err) message = 'There was an error processing your request.';
          ctx.type = 'html';
          ctx.body = deviceCodeInputPage(form, message);
        },
        userCodeConfirmSource(ctx, form, client, _deviceInfo, userCode) {
          ctx.type = 'html';
          ctx.body = deviceConfirmPage(form, client.clientName ?? client.clientId, userCode);
        },
        successSource(ctx) {
          const client = ctx.oidc.client;
          ctx.type = 'html';
          ctx.body = deviceSuccessPage(client?.clientName ?? client?.clientId ?? 'your device');
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          const client = ctx.oidc.client;
          // With a valid id_token_hint the RP has proven the session, so confirm automatically
          // (like Keycloak does); otherwise the user has to click "Sign out".
          const autoSubmit = ctx.oidc.entities.IdTokenHint !== undefined
            ? "document.addEventListener('DOMContentLoaded',function(){document.forms[0].submit()});"
            : undefined;
          ctx.type = 'html';
          ctx.body = logoutPage(form, client?.clientName ?? client?.clientId, autoSubmit);
        },
        postLogoutSuccessSource(ctx) {
          const client = ctx.oidc.client;
          ctx.type = 'html';
          ctx.body = loggedOutPage(client?.clientName ?? client?.clientId);
        },
      },
    },
  };
}
