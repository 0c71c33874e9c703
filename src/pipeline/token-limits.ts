import { GatewayError } from '../errors/index.js';
import type { Principal } from './context.js';

/**
 * Administrator-only routes (and the admin API) have no resource a token's limits could narrow
 * to: a scoped token never reaches them, a read-only one only to read.
 */
export function assertTokenAllowsAdmin(method: string, principal: Principal | undefined): void {
  const limits = principal?.limits;
  if (limits?.scope) throw new GatewayError('GW_DENIED', 'A token limited to listed resources cannot call administrator routes');
  if (limits?.maxLevel && method !== 'GET' && method !== 'HEAD') throw new GatewayError('GW_DENIED', 'This token is read-only');
}
