import { GatewayError } from '../../errors/index.js';
import type { Gateway } from '../gateway.js';
import type { RequestContext } from '../context.js';

/**
 * Step 5: decide by the route's requirement. Unknown routes fail closed for everyone but
 * administrators; blocked routes (server-side code execution) are refused unless enabled.
 */
export async function authorize(gw: Gateway, ctx: RequestContext): Promise<void> {
  const user = ctx.principal?.user;
  const route = ctx.route;
  if (!route) {
    if (user?.isAdmin) {
      ctx.decision = 'allow: administrator (route not in the table)';
      return;
    }
    throw new GatewayError('GW_UNKNOWN_ROUTE', `The gateway does not know ${ctx.path}; only administrators may call unknown MLflow routes`);
  }
  const req = route.requirement;
  switch (req.kind) {
    case 'public':
      ctx.decision = 'allow: public';
      return;
    case 'authenticated':
      ctx.decision = 'allow: authenticated';
      return;
    case 'admin':
      if (!user?.isAdmin) throw new GatewayError('GW_DENIED', 'Only administrators may call this MLflow route');
      ctx.decision = 'allow: administrator';
      return;
    case 'blocked':
      if (req.feature === 'assistant' && gw.config.enableAssistant && user?.isAdmin) {
        ctx.decision = 'allow: assistant enabled for administrators';
        return;
      }
      throw new GatewayError('GW_ROUTE_BLOCKED', `This MLflow route (${req.feature}) is disabled on this gateway`);
    default:
      // Resource-level permissions are decided by the authorization layer (src/policy) once wired.
      ctx.decision = 'allow: authenticated (resource check pending)';
  }
}
