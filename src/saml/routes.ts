// The service provider's endpoints of each SAML provider, under <mount>/_gateway/saml/<id>/:
// `metadata` (what the IdP imports), `acs` (HTTP-POST responses), `slo` (single logout, both ways).
// Sign-in starts at the common /_gateway/login?provider=<id>; sign-out at /_gateway/logout.
import { inflateRawSync } from 'node:zlib';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, toGatewayError } from '../errors/index.js';
import { safeReturnTo } from '../oidc/return-to.js';
import type { ProviderEntry } from '../oidc/providers/registry.js';
import type { Gateway } from '../pipeline/gateway.js';
import { readBody } from '../pipeline/request-body.js';
import { auditRefusedSignIn, establishSession } from '../server/complete-sign-in.js';
import { escapeHtml } from '../server/pages.js';
import { samlPaths } from './config.js';
import { hasDoctype } from './metadata.js';
import { acceptSamlResponse, decodeSamlMessage, describe } from './response.js';
import { requestNamespace, serviceProvider, spMetadata, storeRequestCache } from './service-provider.js';

/** SAML responses with a few certificates and many groups stay well below this. */
const MAX_BODY = 512 * 1024;
const AUTOPOST_JS = 'document.forms[0].submit();\n';

const invalid = (message: string) => new GatewayError('GW_SAML_INVALID', message);

/** Sign-in at a SAML IdP: an AuthnRequest (its id pending in the store) by redirect, or by an auto-posted form. */
export async function startSamlLogin(gw: Gateway, provider: ProviderEntry, returnTo: string, reply: FastifyReply): Promise<FastifyReply> {
  const meta = await provider.saml!.metadata();
  const post = provider.config.saml!.binding === 'post' && meta.ssoPost !== undefined;
  const sp = serviceProvider(gw.config, provider.config, meta, storeRequestCache(gw.store.oneTimeIds, requestNamespace(provider.config)), post);
  if (post && meta.ssoPost) {
    const message = await sp.getAuthorizeMessageAsync(returnTo);
    const fields = Object.entries(message).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(String(v))}">`).join('');
    void reply.type('text/html; charset=utf-8').header('x-frame-options', 'DENY')
      .header('content-security-policy', `default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action ${new URL(meta.ssoPost).origin}`);
    return reply.send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signing in · MLflow gateway</title>
<script src="${escapeHtml(`${gw.config.basePath}${samlPaths(provider.config.id).metadata.replace(/metadata$/, 'autopost.js')}`)}" defer></script></head>
<body><form method="post" action="${escapeHtml(meta.ssoPost)}">${fields}<noscript><button type="submit">Continue to ${escapeHtml(provider.config.displayName)}</button></noscript></form></body></html>`);
  }
  return reply.redirect(await sp.getAuthorizeUrlAsync(returnTo, undefined, {}), 302);
}

/** SP-initiated single logout: the IdP URL carrying a LogoutRequest for the session's NameID/SessionIndex, if the IdP offers SLO. */
export async function samlLogoutRedirect(gw: Gateway, provider: ProviderEntry, claims: Record<string, unknown>, log: FastifyBaseLogger): Promise<string | undefined> {
  try {
    const meta = await provider.saml!.metadata();
    if (!meta.sloUrl || typeof claims.nameID !== 'string') return undefined;
    const sp = serviceProvider(gw.config, provider.config, meta, storeRequestCache(gw.store.oneTimeIds, requestNamespace(provider.config)));
    return await sp.getLogoutUrlAsync({
      issuer: meta.entityId, nameID: claims.nameID,
      nameIDFormat: typeof claims.nameIDFormat === 'string' ? claims.nameIDFormat : 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      ...(typeof claims.sessionIndex === 'string' ? { sessionIndex: claims.sessionIndex } : {}),
    }, '', {});
  } catch (err) {
    log.warn({ event: 'logout.saml_failed', provider: provider.config.id, reason: describe(err) }, 'SAML single logout request could not be built; signed out locally');
    return undefined; // the local sign-out happened; the IdP session stays
  }
}

export function registerSamlRoutes(app: FastifyInstance, gw: Gateway): void {
  const base = gw.config.basePath;
  for (const provider of gw.providers.all) {
    if (!provider.saml) continue;
    const paths = samlPaths(provider.config.id);
    app.get(`${base}${paths.metadata}`, async (_req, reply) => {
      void reply.type('application/samlmetadata+xml; charset=utf-8').header('cache-control', 'public, max-age=300');
      return spMetadata(provider.config);
    });
    app.get(`${base}${paths.metadata.replace(/metadata$/, 'autopost.js')}`, async (_req, reply) => {
      void reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600');
      return AUTOPOST_JS;
    });
    app.post(`${base}${paths.acs}`, (req, reply) => acs(provider, req, reply));
    app.get(`${base}${paths.slo}`, (req, reply) => slo(provider, req, reply, 'redirect'));
    app.post(`${base}${paths.slo}`, (req, reply) => slo(provider, req, reply, 'post'));
  }

  async function form(req: FastifyRequest): Promise<URLSearchParams> {
    const type = String(req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') throw invalid('A SAML message is posted form-encoded (HTTP-POST binding)');
    return new URLSearchParams((await readBody(req, MAX_BODY)).toString('utf8'));
  }

  function single(params: URLSearchParams, name: string): string {
    const values = params.getAll(name);
    if (values.length !== 1 || !values[0]) throw invalid(`The request needs exactly one ${name}`);
    return values[0];
  }

  async function acs(provider: ProviderEntry, req: FastifyRequest, reply: FastifyReply) {
    void reply.header('cache-control', 'no-store');
    let who: string | null = null;
    try {
      const params = await form(req);
      const meta = await provider.saml!.metadata();
      const accepted = await acceptSamlResponse(gw.config, provider.config, meta, gw.store.oneTimeIds, single(params, 'SAMLResponse'));
      // RelayState carries the return path; it is checked like every return_to (same origin, no scheme tricks).
      const returnTo = safeReturnTo(gw.config, params.get('RelayState') ?? undefined);
      const tokens = { provider: provider.config.id, claims: accepted.claims, idToken: undefined, refreshToken: undefined, accessToken: '', expiresAt: null };
      return await establishSession(gw, provider, req, reply, tokens, returnTo, [], (u) => (who = u));
    } catch (err) {
      auditRefusedSignIn(gw, req, who, err);
      throw err;
    }
  }

  /**
   * Single logout. A LogoutRequest from the IdP (signed: by its XML signature over POST, or by the
   * query signature over Redirect; unsigned ones are refused, else anyone could sign people out)
   * ends the sessions of its NameID (and SessionIndex) on every replica and is answered with a
   * LogoutResponse. A LogoutResponse to our own request ends at the signed-out page.
   */
  async function slo(provider: ProviderEntry, req: FastifyRequest, reply: FastifyReply, binding: 'redirect' | 'post') {
    void reply.header('cache-control', 'no-store');
    const params = binding === 'post' ? await form(req) : new URLSearchParams((req.raw.url ?? '').split('?')[1] ?? '');
    const meta = await provider.saml!.metadata();
    const cache = storeRequestCache(gw.store.oneTimeIds, requestNamespace(provider.config));
    const sp = serviceProvider(gw.config, provider.config, meta, cache);
    const isRequest = params.has('SAMLRequest');
    try {
      if (!isRequest) {
        const message = single(params, 'SAMLResponse');
        if (binding === 'post') await sp.validatePostResponseAsync({ SAMLResponse: Buffer.from(decodeSamlMessage(message, 'SAML logout response')).toString('base64') });
        else {
          checkRedirectMessage(message);
          await sp.validateRedirectAsync(Object.fromEntries(params), (req.raw.url ?? '').split('?')[1] ?? '');
        }
        req.log.info({ event: 'logout.saml_response', provider: provider.config.id }, 'IdP confirmed single logout');
        return reply.redirect(`${gw.config.publicUrl}/_gateway/signed-out`, 302);
      }
      const message = single(params, 'SAMLRequest');
      let result: Awaited<ReturnType<typeof sp.validateRedirectAsync>>;
      try {
        if (binding === 'post') {
          result = await sp.validatePostRequestAsync({ SAMLRequest: Buffer.from(decodeSamlMessage(message, 'SAML logout request')).toString('base64') });
        } else {
          checkRedirectMessage(message);
          if (!params.get('Signature') || !params.get('SigAlg')) throw invalid('The logout request is not signed (a Redirect-binding LogoutRequest needs Signature and SigAlg)');
          result = await sp.validateRedirectAsync(Object.fromEntries(params), (req.raw.url ?? '').split('?')[1] ?? '');
        }
      } catch (err) {
        throw err instanceof GatewayError ? err : invalid(`The logout request was refused: ${describe(err)}`);
      }
      const profile = result.profile;
      if (!profile || typeof profile.nameID !== 'string' || profile.nameID === '') throw invalid('The logout request names no NameID');
      if (profile.issuer !== meta.entityId) throw invalid(`The logout request was issued by ${String(profile.issuer).slice(0, 200)}, not by ${provider.config.id}`);
      if (typeof profile.ID !== 'string' || profile.ID === '' || profile.ID.length > 256) throw invalid('The logout request has no usable ID');
      if (!(await gw.store.oneTimeIds.use(`saml-logout:${meta.entityId}`, profile.ID, new Date(Date.now() + 24 * 3600 * 1000), new Date()))) {
        throw invalid('The logout request was used before (replayed ID)');
      }
      const ended = await gw.store.sessions.deleteByIdp({
        subjectKey: `${meta.entityId}#${profile.nameID}`,
        ...(typeof profile.sessionIndex === 'string' && profile.sessionIndex !== '' ? { sidKey: `${meta.entityId}#${profile.sessionIndex}` } : {}),
      });
      const perUser = new Map<string, number>();
      for (const s of ended) perUser.set(s.userId, (perUser.get(s.userId) ?? 0) + 1);
      for (const [userId, count] of perUser) {
        const username = (await gw.store.users.get(userId))?.username ?? null;
        await gw.store.audit.append({
          time: new Date(), actor: username, action: 'logout.saml', resource: null, decision: 'info',
          reason: `${provider.config.id} ended the IdP session (SAML single logout): ${count} gateway session(s) ended`, requestId: req.id, clientIp: req.ip,
        });
      }
      req.log.info({ event: 'logout.saml', provider: provider.config.id, sessions: ended.length }, 'SAML single logout');
      const answer = await sp.getLogoutResponseUrlAsync(profile, params.get('RelayState') ?? '', {}, true).catch(() => undefined);
      if (answer) return reply.redirect(answer, 302);
      return reply.code(200).type('text/plain; charset=utf-8').send('Signed out');
    } catch (err) {
      const refused = toGatewayError(err);
      if (refused.status >= 500) throw err;
      req.log.info({ event: 'refused', code: refused.code, provider: provider.config.id }, refused.message);
      await gw.store.audit.append({
        time: new Date(), actor: null, action: isRequest ? 'logout.saml.refused' : 'logout.saml_response.refused', resource: null, decision: 'deny', reason: `${refused.code}: ${refused.message}`, requestId: req.id, clientIp: req.ip,
      }).catch(() => undefined);
      throw refused.code === 'GW_SAML_INVALID' ? refused : invalid(`The SAML logout message was refused: ${describe(err)}`);
    }
  }
}

/** A Redirect-binding message is deflated: inflate it (bounded) to refuse a DOCTYPE before node-saml parses it. */
function checkRedirectMessage(b64: string): void {
  let xml: string;
  try {
    xml = inflateRawSync(Buffer.from(b64, 'base64'), { maxOutputLength: MAX_BODY }).toString('utf8');
  } catch {
    throw invalid('The SAML message is not deflated base64 (HTTP-Redirect binding), or too large');
  }
  if (hasDoctype(xml)) throw invalid('The SAML message has a DOCTYPE (refused: entities are how XXE and entity expansion attacks work)');
}
