// GET <mount>/_gateway/api/v1/users?search=&limit=&offset=: the users the gateway has seen.
import type { FastifyInstance } from 'fastify';
import type { Gateway } from '../pipeline/gateway.js';
import { adminCaller } from './caller.js';
import { onlyFields, optionalInt, optionalText, type Fields } from './input.js';
import { requireAdmin } from './permissions.js';
import { userJson } from './serialize.js';

const MAX_PAGE = 1000;

export function registerUserRoutes(app: FastifyInstance, gw: Gateway, base: string): void {
  app.get(`${base}/users`, async (req, reply) => {
    const caller = await adminCaller(gw, req, reply);
    requireAdmin(caller, 'list users', 'read');
    caller.ctx.decision = 'allow: administrator';
    const query = req.query as Fields;
    onlyFields(query, ['search', 'limit', 'offset'], 'query');
    const search = optionalText(query, 'search');
    const limit = optionalInt(query, 'limit', 1, MAX_PAGE) ?? 100;
    const offset = optionalInt(query, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const users = await gw.store.users.list({ limit, offset, ...(search !== undefined ? { search } : {}) });
    return { users: users.map(userJson), limit, offset };
  });
}
