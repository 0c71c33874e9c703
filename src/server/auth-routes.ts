import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/index.js';
import { completeLogin, endSessionUrl, LOGIN_TTL_SECONDS, startLogin } from '../oidc/login-flow.js';
import { safeReturnTo } from '../oidc/return-to.js';
import type { ProviderEntry } from '../oidc/providers/registry.js';
import { infoPage } from './pages.js';
import { signInPage } from './sign-in-page.js';
import { signOutPage } from './sign-out-page.js';
import { assertSameOrigin } from '../pipeline/steps/csrf.js';
import { clearCookie, conflictClearing, cookieValues, loginAttemptCookieName, loginCookieName, loginCookiePath, parseCookies, readSessionCookie, serializeCookie, sessionCookieName, sessionCookiePath, sessionCookieValues } from '../session/cookies.js';
import type { Gateway } from '../pipeline/gateway.js';
import { whoamiByCredential } from '../tokens/whoami.js';
import { auditRefusedSignIn, establishSession } from './complete-sign-in.js';
import { registerSamlRoutes, samlLogoutRedirect, startSamlLogin } from '../saml/routes.js';
import { rememberReturnTo } from './sign-in-again.js';

const SIGN_IN_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Sign-in, callbacks and sign-out under `<mount>/_gateway/`. With several providers, `/login`
 * shows a page to choose one (`/login?provider=<id>` starts it directly); each provider has its
 * own callback (`/callback/<id>`; the first one also `/callback`, as registered before).
 */
export function registerAuthRoutes(app: FastifyInstance, gw: Gateway): void {
  const base = `${gw.config.basePath}/_gateway`;
  // Sign-in cookies are sent to the callback paths only (all of the host when __Host-); one per attempt (loginAttemptCookieName).
  const loginPath = loginCookiePath(gw.config);

  app.get(`${base}/login`, async (req: FastifyRequest<{ Querystring: { return_to?: string; provider?: string } }>, reply) => {
    const returnTo = safeReturnTo(gw.config, req.query.return_to);
    void reply.header('cache-control', 'no-store');
    const chosen = req.query.provider;
    if (chosen === undefined && gw.providers.all.length > 1) {
      // No script, nothing to load, never framed (no clickjacking of the provider choice).
      void reply.type('text/html; charset=utf-8').header('content-security-policy', SIGN_IN_PAGE_CSP).header('x-frame-options', 'DENY');
      return signInPage({ loginUrl: `${base}/login`, returnTo, providers: gw.providers.all.map((p) => ({ id: p.config.id, displayName: p.config.displayName })) });
    }
    const provider = chosen === undefined ? gw.providers.default : gw.providers.get(chosen);
    if (!provider) throw new GatewayError('GW_LOGIN_FAILED', `There is no identity provider ${JSON.stringify(chosen!.slice(0, 40))} on this gateway; choose one on the sign-in page`);
    if (provider.saml) return startSamlLogin(gw, provider, returnTo, reply);
    // Discovery may be cached from before an outage: ask the IdP now, so a browser gets the
    // gateway's GW_IDP_UNAVAILABLE page instead of being sent to an IdP that does not answer.
    await provider.client.probe();
    const { url, cookie, state } = await startLogin(provider, gw.loginSealer, returnTo);
    void reply.header('set-cookie', serializeCookie(gw.config, { name: loginAttemptCookieName(gw.config, state), value: cookie, path: loginPath, maxAgeSeconds: LOGIN_TTL_SECONDS }));
    return reply.redirect(url, 302);
  });

  registerSamlRoutes(app, gw);
  for (const provider of gw.providers.all) {
    if (provider.saml) continue; // its responses arrive at <mount>/_gateway/saml/<id>/acs (src/saml/routes.ts)
    const paths = new Set([`${gw.config.basePath}${provider.config.callbackPath}`, `${base}/callback/${provider.config.id}`]);
    for (const path of paths) app.get(path, (req, reply) => callback(provider, req, reply));
  }

  async function callback(provider: ProviderEntry, req: FastifyRequest, reply: FastifyReply) {
    const cookies = parseCookies(req.headers.cookie);
    const rawUrl = req.raw.url ?? '';
    const query = rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?') + 1) : '';
    // This attempt's sign-in cookie (found by the state it carries; the single cookie of earlier
    // versions too) is single-use: cleared whatever the outcome, so a code cannot be replayed through it.
    const state = new URLSearchParams(query).get('state');
    const attemptCookie = state ? loginAttemptCookieName(gw.config, state) : undefined;
    const sealedTx = (attemptCookie ? cookies.get(attemptCookie) : undefined) ?? cookies.get(loginCookieName(gw.config));
    const setCookies = [attemptCookie, loginCookieName(gw.config)].filter((n): n is string => n !== undefined && cookies.has(n))
      .map((n) => clearCookie(gw.config, n, loginPath));
    void reply.header('cache-control', 'no-store');
    let who: string | null = null;
    try {
      if (sealedTx === undefined && [...cookies.keys()].some((n) => n.startsWith(`${sessionCookieName(gw.config)}_`) && n.endsWith('_login'))) {
        // This browser has sign-ins under way, but none with this state.
        throw new GatewayError('GW_LOGIN_FAILED', 'The sign-in response does not match this browser\'s sign-in attempts (state mismatch); start again');
      }
      // A second copy of the sign-in cookie can only have been planted (cookie tossing: login CSRF): use none.
      const usedName = attemptCookie !== undefined && cookies.has(attemptCookie) ? attemptCookie : loginCookieName(gw.config);
      if (cookieValues(req.headers.cookie, usedName).length > 1) {
        throw new GatewayError('GW_LOGIN_FAILED', 'The browser sent more than one sign-in cookie (one may have been planted by another site on this host); start again');
      }
      const { tokens, returnTo } = await completeLogin(provider, gw.loginSealer, query, sealedTx);
      return await establishSession(gw, provider, req, reply, tokens, returnTo, setCookies, (u) => (who = u));
    } catch (err) {
      void reply.header('set-cookie', setCookies);
      // "Sign in again" on the error page goes where this attempt was going.
      rememberReturnTo(req, (sealedTx === undefined ? undefined : gw.loginSealer.open<{ returnTo?: unknown }>(sealedTx))?.returnTo);
      auditRefusedSignIn(gw, req, who, err);
      throw err;
    }
  }

  // Sign-out is a POST from the gateway's own origin (the same CSRF check as every cookie-borne
  // write); a GET only shows a page with the button, so a cross-site <img> ends nothing.
  const logout = async (req: FastifyRequest, reply: FastifyReply) => {
    assertSameOrigin(gw, req);
    // Every session cookie the browser sent is ended (several: a planted one among them, all cleared).
    const tokens = sessionCookieValues(gw.config, req.headers.cookie);
    let idToken: string | undefined;
    let provider = gw.providers.default;
    let samlSession: Record<string, unknown> | undefined;
    for (const token of tokens) {
      const resolved = await gw.sessions.resolve(token, req.log).catch(() => undefined);
      if (!resolved) continue;
      // RP-initiated logout at the IdP only when there is no doubt whose session this was.
      if (tokens.length === 1) {
        idToken = resolved.idToken;
        provider = gw.providers.get(resolved.provider) ?? provider;
        if (provider.saml) samlSession = resolved.claims;
      }
      await gw.sessions.destroy(resolved.sessionId);
      // The IdP session ends with this sign-out (RP-initiated logout): any other gateway session
      // signed in through the same IdP session (its `sid`) ends with it, on every replica.
      if (tokens.length === 1 && resolved.idpSid) await gw.store.sessions.deleteByIdp({ sidKey: resolved.idpSid });
      await gw.store.audit.append({ time: new Date(), actor: resolved.user.username, action: 'logout', resource: null, decision: 'info', reason: null, requestId: req.id, clientIp: req.ip });
    }
    void reply.header('set-cookie', tokens.length > 1 ? conflictClearing(gw.config, req.url) : clearCookie(gw.config, sessionCookieName(gw.config), sessionCookiePath(gw.config)));
    void reply.header('cache-control', 'no-store');
    const after = `${gw.config.publicUrl}/_gateway/signed-out`;
    const idpLogout = provider.saml
      ? (samlSession ? await samlLogoutRedirect(gw, provider, samlSession, req.log) : undefined)
      : await endSessionUrl(provider.client, idToken, after);
    return reply.redirect(idpLogout ?? after, 302);
  };
  app.post(`${base}/logout`, logout);
  app.get(`${base}/logout`, async (req, reply) => {
    const tokens = sessionCookieValues(gw.config, req.headers.cookie);
    const resolved = tokens.length === 1 ? await gw.sessions.resolve(tokens[0]!, req.log).catch(() => undefined) : undefined;
    void reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('x-frame-options', 'DENY')
      .header('content-security-policy', await signOutPageCsp());
    return signOutPage({ logoutUrl: `${base}/logout`, homeUrl: `${gw.config.basePath}/`, username: resolved?.user.username });
  });
  // No script; the form may post only here, and the answer to it may redirect to an IdP's sign-out.
  const signOutPageCsp = async () => {
    // A SAML IdP's single logout service may live elsewhere than its entity id names (Entra ID).
    const samlLogout = await Promise.all(gw.providers.all.map(async (p) => (p.saml ? (await p.saml.metadata().catch(() => undefined))?.sloUrl : undefined)));
    const idps = [...new Set([...gw.providers.all.map((p) => p.config.issuer), ...samlLogout].map((u) => (u ? safeOrigin(u) : undefined)).filter((o) => o !== undefined && o !== 'null'))];
    return `default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self' ${idps.join(' ')}`.trim();
  };

  app.get(`${base}/signed-out`, async (req, reply) => {
    // Styled like every other gateway page; "Sign in again" leads back to MLflow.
    void reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    return infoPage({ title: 'You are signed out', message: 'Your session on this gateway has ended. Close the browser to end your identity provider session too, or sign in again.', action: { href: `${gw.config.basePath}/_gateway/login?return_to=${encodeURIComponent(`${gw.config.basePath}/`)}`, label: 'Sign in again' }, requestId: req.id });
  });

  app.get(`${base}/api/v1/whoami`, async (req, reply) => {
    // Programs (the CLI's `whoami`) ask with their credential; browsers with the session cookie.
    if (req.headers.authorization !== undefined) return whoamiByCredential(gw, req, reply);
    const token = readSessionCookie(gw.config, req.headers.cookie, req.url);
    const resolved = token ? await gw.sessions.resolve(token, req.log) : undefined;
    if (!resolved) {
      throw token
        ? new GatewayError('GW_SESSION_EXPIRED', 'The session expired or was ended; sign in again', { headers: { 'www-authenticate': 'Bearer realm="mlflow", error="invalid_token"' } })
        : new GatewayError('GW_UNAUTHENTICATED', 'Not signed in', { headers: { 'www-authenticate': 'Bearer realm="mlflow"' } });
    }
    const u = resolved.user;
    return { username: u.username, email: u.email, display_name: u.displayName, groups: u.groups, is_admin: u.isAdmin };
  });
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
