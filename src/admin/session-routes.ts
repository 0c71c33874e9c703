// GET sessions[?user=|?all=true] and DELETE sessions/<id>: everyone lists and ends their own browser
// sessions; administrators anyone's, and everyone's at once (all=true, each with its user). Another
// user's session is "not found" to a non-administrator.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/index.js';
import type { Gateway } from '../pipeline/gateway.js';
import { isLive, sessionJson } from './account-json.js';
import { adminCaller } from './caller.js';
import { onlyFields, optionalText, text, type Fields } from './input.js';
import { requireAdmin } from './permissions.js';
import { userByUsername } from './principals.js';
import { recordAction } from './record.js';

export function registerSessionRoutes(app: FastifyInstance, gw: Gateway, base: string): void {
  app.get(`${base}/sessions`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    const query = req.query as Fields;
    onlyFields(query, ['user', 'all'], 'query');
    const all = optionalText(query, 'all');
    if (all !== undefined && all !== 'true' && all !== 'false') throw new GatewayError('GW_BAD_REQUEST', 'all must be true or false');
    const name = optionalText(query, 'user');
    if (all === 'true') {
      if (name !== undefined) throw new GatewayError('GW_BAD_REQUEST', 'Give either user or all=true, not both');
      requireAdmin(caller, 'list the sessions of all users', 'read');
      caller.ctx.decision = 'allow: administrator';
      return { sessions: await everyonesSessions(gw, caller.ctx.principal?.sessionId) };
    }
    const own = name === undefined || name === caller.user.username;
    if (!own) requireAdmin(caller, 'list the sessions of other users', 'read');
    caller.ctx.decision = own ? 'allow: own sessions' : 'allow: administrator';
    const user = own ? caller.user : await userByUsername(gw.store, name);
    const sessions = (await gw.store.sessions.listForUser(user.id)).filter((s) => isLive(s, gw.config.sessionIdleTimeout));
    return { user: user.username, sessions: sessions.map((s) => sessionJson(s, caller.ctx.principal?.sessionId)) };
  });

  app.delete(`${base}/sessions/:id`, async (req: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const caller = await adminCaller(gw, req, reply);
    const id = text(req.params, 'id');
    const session = await gw.store.sessions.get(id);
    if (!session || (session.userId !== caller.user.id && !caller.user.isAdmin)) throw new GatewayError('GW_NOT_FOUND', `No session ${JSON.stringify(id)} of yours`);
    if (session.userId !== caller.user.id) requireAdmin(caller, 'end the sessions of other users', 'write');
    caller.ctx.decision = session.userId === caller.user.id ? 'allow: own session' : 'allow: administrator';
    await gw.store.sessions.delete(id);
    const owner = session.userId === caller.user.id ? caller.user : await gw.store.users.get(session.userId);
    await recordAction(caller, 'session.revoke', `user:${owner?.username ?? session.userId}`, `session ${id} ended`);
    return reply.code(204).send();
  });
}

/** Every live session with its user's name, newest activity first (one store query). */
async function everyonesSessions(gw: Gateway, currentSessionId: string | undefined): Promise<Record<string, unknown>[]> {
  const live = await gw.store.sessions.listLive(new Date(), gw.config.sessionIdleTimeout);
  return live.map(({ session, username }) => ({ ...sessionJson(session, currentSessionId), user: username }));
}
