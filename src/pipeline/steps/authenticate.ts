import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.js';
import { clientCredentialsClient, serviceAccountOfClient } from '../../federation/client-credentials.js';
import { admittedIdentity } from '../../oidc/identity.js';
import { readSessionCookie } from '../../session/cookies.js';
import { looksLikeToken, TOKEN_PREFIX } from '../../tokens/format.js';
import { failureKeysOf } from '../../tokens/service.js';
import type { Gateway } from '../gateway.js';
import type { LoginIdentity, User } from '../../store/index.js';
import type { VerifiedBearer } from '../../oidc/bearer.js';
import type { AuthMethod, Principal, RequestContext } from '../context.js';
import { metrics, type AuthMethodLabel } from '../../metrics/index.js';
import { scimSignIn } from '../../scim/sign-in.js';

const METHOD_LABEL: Readonly<Record<AuthMethod, AuthMethodLabel>> = {
  session: 'session', jwt: 'jwt', token: 'pat-bearer', basic: 'pat-basic', client: 'client-credentials', federated: 'federated',
};

/**
 * Step 2: establish who is calling. An Authorization header is authoritative: a bad one is a 401,
 * never a silent fall-back to the cookie. Without credentials the principal stays unset.
 *   Bearer mog_…         personal access token
 *   Bearer <JWT>         IdP access or ID token; a client-credentials token acts as its mapped service account
 *   Bearer <JWT>         of another issuer: a workload token, accepted by a trust rule as a service account
 *   Basic user:mog_…     personal access token as password (MLFLOW_TRACKING_USERNAME/PASSWORD)
 */
export async function authenticate(gw: Gateway, req: FastifyRequest, ctx: RequestContext): Promise<void> {
  try {
    await establish(gw, req, ctx);
  } catch (err) {
    metrics.auth(ctx.principal ? METHOD_LABEL[ctx.principal.method] : attemptedMethod(gw, req.headers.authorization), (err as { code?: string }).code ?? 'GW_INTERNAL');
    throw err;
  }
  if (ctx.principal) metrics.auth(METHOD_LABEL[ctx.principal.method]);
  else if (req.headers.authorization === undefined && req.headers.cookie?.includes(gw.config.cookieName)) metrics.auth('session', 'GW_SESSION_EXPIRED');
  else metrics.auth('anonymous');
}

/** The method a failed Authorization header tried, for the metrics (same dispatch as below, without verifying). */
function attemptedMethod(gw: Gateway, header: string | undefined): AuthMethodLabel {
  if (header === undefined) return 'session';
  const space = header.indexOf(' ');
  const scheme = (space > 0 ? header.slice(0, space) : header).toLowerCase();
  const credential = space > 0 ? header.slice(space + 1).trim() : '';
  if (scheme === 'basic') return 'pat-basic';
  if (scheme !== 'bearer' || !credential) return 'anonymous';
  if (looksLikeToken(credential)) return 'pat-bearer';
  return gw.federation.isForeign(credential) ? 'federated' : 'jwt';
}

async function establish(gw: Gateway, req: FastifyRequest, ctx: RequestContext): Promise<void> {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const space = header.indexOf(' ');
    const scheme = (space > 0 ? header.slice(0, space) : header).toLowerCase();
    const credential = space > 0 ? header.slice(space + 1).trim() : '';
    if (scheme === 'bearer' && credential && looksLikeToken(credential)) {
      ctx.principal = await fromToken(gw, ctx, credential, undefined, 'token');
    } else if (scheme === 'bearer' && credential) {
      // A JWT verified before (the bearer cache) is known to be an IdP's: no decoding to see whose it is.
      const known = gw.bearer.cached(credential);
      if (known) ctx.principal = await fromIdpJwt(gw, known);
      else if (gw.federation.isForeign(credential)) {
        const { user, rule } = await gw.federation.authenticate(credential);
        ctx.principal = { user: assertAllowedIn(gw, user), method: 'federated', trustRule: rule.name };
      } else ctx.principal = await fromIdpJwt(gw, await gw.bearer.verify(credential));
    } else if (scheme === 'basic' && credential) {
      const { username, password } = decodeBasic(credential);
      ctx.principal = await fromToken(gw, ctx, password, username, 'basic');
    } else {
      throw new GatewayError('GW_INVALID_TOKEN', 'Unsupported Authorization scheme; use Bearer <token> or Basic with a personal access token', {
        headers: { 'www-authenticate': 'Bearer realm="mlflow"' },
      });
    }
  } else {
    // Two session cookies (one planted by another origin of this host) are refused, never chosen between.
    const token = readSessionCookie(gw.config, req.headers.cookie, req.url);
    if (token) {
      const resolved = await gw.sessions.resolve(token, req.log);
      if (resolved) ctx.principal = { user: resolved.user, method: 'session', sessionId: resolved.sessionId };
    }
  }
  if (ctx.principal?.user.disabled) {
    throw new GatewayError('GW_USER_DISABLED', `The account ${ctx.principal.user.username} is disabled on this gateway`);
  }
}

/**
 * Admitted identities of verified JWTs, per claims object: the bearer cache hands out the same
 * claims object for the same token until it expires, and the mapping is a pure function of those
 * claims and the frozen configuration, so a token's claims are mapped once, not on every request.
 * Refusals are never remembered (they throw, and record the refused person's groups each time).
 */
const admittedByClaims = new WeakMap<object, LoginIdentity>();

async function fromIdpJwt(gw: Gateway, { claims, provider }: VerifiedBearer): Promise<Principal> {
  // Client mappings name clients of the default provider: another provider's client-credentials
  // token has no person in it and is refused below (no username).
  const client = provider === gw.providers.default ? clientCredentialsClient(claims, provider.config.preset) : undefined;
  if (client !== undefined) return { user: assertAllowedIn(gw, await serviceAccountOfClient(gw.store, client)), method: 'client' };
  let identity = admittedByClaims.get(claims);
  if (!identity) {
    identity = await admittedIdentity(provider.config, claims, gw.store.users, scimSignIn(gw.config));
    admittedByClaims.set(claims, identity);
  }
  return { user: await gw.users.fromIdentity(identity), method: 'jwt' };
}

/**
 * A personal access token acts for its owner with the owner's grants at the time of use, narrowed
 * by the token's own limits. The owner must still be allowed in (allowed groups as last seen).
 */
async function fromToken(gw: Gateway, ctx: RequestContext, credential: string, username: string | undefined, method: 'token' | 'basic'): Promise<Principal> {
  // Brute-force limits (docs/security-model.md): the client address is limited before anything is
  // verified, so a guessing address is stopped whatever it sends. The account is never limited
  // up front: a valid credential always verifies, however many failures named its owner elsewhere;
  // only failures on the owner's real token ids are counted for it, and past the limit they
  // answer 429 instead of 401.
  const address = [`ip:${ctx.clientIp}`];
  gw.failures.assertAllowed(address);
  try {
    const { user, token } = await gw.tokens.verify(credential, { username, clientIp: ctx.clientIp });
    return {
      user: assertAllowedIn(gw, user), method, tokenId: token.id,
      limits: { ...(token.readOnly ? { maxLevel: 'READ' as const } : {}), ...(token.scope ? { scope: token.scope } : {}) },
    };
  } catch (err) {
    if (err instanceof GatewayError && err.code === 'GW_INVALID_TOKEN') {
      const account = failureKeysOf(err);
      gw.failures.recordFailure([...address, ...account]);
      void gw.store.audit.append({ time: new Date(), actor: username ?? null, action: 'token.failed', resource: null, decision: 'deny', reason: err.message, requestId: ctx.requestId, clientIp: ctx.clientIp }).catch(() => undefined);
      gw.failures.assertAllowed(account);
      // A Basic password that is not a token at all is almost always the SSO password: say what is expected instead.
      if (method === 'basic' && !credential.startsWith(TOKEN_PREFIX)) {
        throw new GatewayError('GW_INVALID_TOKEN', `The password must be a personal access token of this gateway (${TOKEN_PREFIX}…), not your sign-in password; create one at ${gw.config.publicUrl}/_gateway/ui/ or with \`mlflow-oidc-gateway login\``, { headers: err.headers });
      }
    }
    throw err;
  }
}

/**
 * Users known from the store (token owners, service accounts) must still be in an allowed group,
 * as last seen: the allowed groups of the provider they last signed in through (service accounts
 * and people not signed in since several providers exist: the default provider's). A provider
 * removed from the configuration lets none of its people in.
 */
function assertAllowedIn(gw: Gateway, user: User): User {
  const provider = user.provider === null ? gw.providers.default : gw.providers.get(user.provider);
  if (!provider) {
    throw new GatewayError('GW_FORBIDDEN_GROUP', `${user.username} last signed in through the identity provider ${user.provider}, which is no longer configured; sign in again through another one`);
  }
  const allowed = provider.config.allowedGroups;
  if (!user.isAdmin && allowed.length > 0 && !user.groups.some((g) => allowed.includes(g))) {
    throw new GatewayError('GW_FORBIDDEN_GROUP', `${user.username} is not in a group allowed to use MLflow (${allowed.join(', ')})`);
  }
  return user;
}

function decodeBasic(credential: string): { username: string; password: string } {
  const decoded = Buffer.from(credential, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new GatewayError('GW_INVALID_TOKEN', 'Malformed Basic credentials', { headers: { 'www-authenticate': 'Basic realm="mlflow"' } });
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
