// <mount>/_gateway/api/v1/identity-providers: the configured sign-in providers with what an
// administrator registers at each IdP (callback, back-channel logout URL) and whether discovery works.
import type { FastifyInstance } from 'fastify';
import { backchannelLogoutPath } from '../oidc/backchannel-routes.js';
import type { Gateway } from '../pipeline/gateway.js';
import { samlPaths } from '../saml/config.js';
import { adminCaller } from './caller.js';
import { requireAdmin } from './permissions.js';

export function registerProviderRoutes(app: FastifyInstance, gw: Gateway, base: string): void {
  app.get(`${base}/identity-providers`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'list identity providers', 'read');
    caller.ctx.decision = 'allow: administrator';
    return {
      providers: gw.providers.all.map((p, i) => ({
        id: p.config.id, display_name: p.config.displayName, kind: p.config.kind, issuer: p.config.issuer, default: i === 0,
        redirect_uri: p.config.redirectUri,
        backchannel_logout_uri: p.config.kind === 'oidc' ? `${gw.config.publicUrl}${backchannelLogoutPath(p.config.id)}` : null,
        discovered: p.client.ready(),
        scim_links: (gw.config.scimProvider ?? gw.providers.default.config.id) === p.config.id,
        // SAML: what the IdP imports (the SP metadata URL, entity id, ACS and SLO) and the metadata state.
        saml: p.config.saml ? {
          sp_entity_id: p.config.clientId, sp_metadata_url: `${gw.config.publicUrl}${samlPaths(p.config.id).metadata}`,
          acs_url: p.config.saml.acsUrl, slo_url: p.config.saml.sloUrl, idp_metadata: p.config.saml.metadata,
          signed: p.config.saml.signed, binding: p.config.saml.binding, allow_unsolicited: p.config.saml.allowUnsolicited,
        } : null,
      })),
    };
  });
}
