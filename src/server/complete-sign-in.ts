// The end of every sign-in, whatever the protocol (OIDC callback, SAML assertion consumer service):
// verified claims become an admitted identity, an account and a brand-new session.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, toGatewayError } from '../errors/index.js';
import { admittedIdentity } from '../oidc/identity.js';
import type { TokenSet } from '../oidc/login-flow.js';
import type { ProviderEntry } from '../oidc/providers/registry.js';
import type { Gateway } from '../pipeline/gateway.js';
import { scimSignIn } from '../scim/sign-in.js';
import { conflictClearing, serializeCookie, sessionCookieName, sessionCookiePath, sessionCookieValues } from '../session/cookies.js';

export async function establishSession(
  gw: Gateway, provider: ProviderEntry, req: FastifyRequest, reply: FastifyReply,
  tokens: TokenSet, returnTo: string, setCookies: string[], signedInAs: (username: string) => void,
): Promise<FastifyReply> {
  const identity = await admittedIdentity(provider.config, tokens.claims, gw.store.users, scimSignIn(gw.config));
  const signInAt = new Date();
  const hadAccount = (await gw.store.users.findBySubject(identity.subjectKey)) !== undefined;
  const user = await gw.store.users.upsertOnLogin(identity, signInAt);
  signedInAs(user.username);
  // A first sign-in that joined an account recorded before it (shared with by username or
  // email, users/create, SCIM, an import): the grants prepared for it apply from now on.
  if (!hadAccount && user.subjectKey === identity.subjectKey && user.createdAt.getTime() < signInAt.getTime()) {
    await gw.store.audit.append({
      time: new Date(), actor: user.username, action: 'account.linked', resource: `user:${user.username}`, decision: 'info',
      reason: `first sign-in joined the account recorded ahead of it (${identity.email && identity.emailVerified ? `verified email ${identity.email}, ` : ''}username ${identity.username})`,
      requestId: req.id, clientIp: req.ip,
    });
  }
  if (user.disabled) throw new GatewayError('GW_USER_DISABLED', `The account ${user.username} is disabled on this gateway`);
  // Any session the browser already had is ended: a fresh id is minted (no fixation). Several
  // (a planted one among them) are all ended and cleared.
  const previous = sessionCookieValues(gw.config, req.headers.cookie);
  for (const token of previous) {
    const resolved = await gw.sessions.resolve(token, req.log).catch(() => undefined);
    if (resolved) await gw.sessions.destroy(resolved.sessionId);
  }
  if (previous.length > 1) setCookies.push(...conflictClearing(gw.config, req.url));
  const token = await gw.sessions.create(user, tokens, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null });
  setCookies.push(serializeCookie(gw.config, { name: sessionCookieName(gw.config), value: token, path: sessionCookiePath(gw.config), maxAgeSeconds: gw.config.sessionMaxAge }));
  void reply.header('set-cookie', setCookies);
  req.log.info({ event: 'login', user: user.username, provider: provider.config.id, admin: user.isAdmin, groups: user.groups }, 'signed in');
  await gw.store.audit.append({ time: new Date(), actor: user.username, action: 'login', resource: null, decision: 'allow', reason: signInReason(provider.config.kind === 'saml' ? 'SAML' : 'OIDC', gw.providers.all.length > 1 ? provider.config.id : undefined, user.subjectKey !== identity.subjectKey), requestId: req.id, clientIp: req.ip });
  return reply.redirect(returnTo, 302);
}

/** Refused sign-ins (state/PKCE/IdP errors, bad assertions, disabled accounts, groups not allowed) are audited too. */
export function auditRefusedSignIn(gw: Gateway, req: FastifyRequest, who: string | null, err: unknown): void {
  const refused = toGatewayError(err);
  void gw.store.audit.append({
    time: new Date(), actor: who, action: 'login.failed', resource: null, decision: 'deny', reason: `${refused.code}: ${refused.message}`, requestId: req.id, clientIp: req.ip,
  }).catch(() => undefined);
}

const signInReason = (protocol: string, provider: string | undefined, linked: boolean) =>
  `${protocol} sign-in${provider || linked ? ` (${[provider, linked ? 'linked by verified email' : undefined].filter(Boolean).join(', ')})` : ''}`;
