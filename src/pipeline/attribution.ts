import { GatewayError } from '../errors/index.js';
import type { User } from '../store/index.js';

/** Run tags that say who did it: set by the gateway at run creation, never by a client. */
export const IDENTITY_TAGS = ['mlflow.user', 'gateway.subject'] as const;

/**
 * Routes that create a run, by how their handler reads the body; the body is rewritten so the run
 * names the authenticated user in the way that handler accepts:
 *  - `tags`: CreateRun parses a protobuf message; user_id plus the identity tags in its `tags` list.
 *  - `user_id`: create-promptlab-run (handlers.create_promptlab_run_handler) hands `tags` to
 *    store.create_run unconverted, so any tag dict there is a 500 in MLflow itself; the gateway
 *    sets only `user_id` (the run's author, which MLflow records as the run's user) and drops
 *    identity tags the client sent. Such a run carries no gateway.subject tag.
 */
const RUN_CREATORS: ReadonlyMap<string, 'tags' | 'user_id'> = new Map([
  ['CreateRun', 'tags'],
  ['serve_create_promptlab_run', 'user_id'],
]);
/** Routes that write or delete run tags: refused when they touch an identity tag. */
const TAG_WRITERS = new Set(['SetTag', 'DeleteTag', 'LogBatch']);

export function rewritesBody(rpc: string | undefined): boolean {
  return rpc !== undefined && (RUN_CREATORS.has(rpc) || TAG_WRITERS.has(rpc));
}

/**
 * Tamper-proof attribution. On run creation `user_id` and the identity tags are replaced by the
 * authenticated identity, whatever the client sent; a later tag write that names an identity tag
 * is refused, so the attribution cannot be changed after the fact. Returns the body to forward
 * (undefined: forward the original bytes unchanged).
 */
export function applyAttribution(rpc: string | undefined, body: unknown, user: User): Buffer | undefined {
  if (rpc === undefined || typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const msg = body as Record<string, unknown>;
  const shape = RUN_CREATORS.get(rpc);
  if (shape === 'tags') {
    const tags = Array.isArray(msg.tags) ? (msg.tags as unknown[]).filter((t) => !isIdentityTag(t)) : [];
    tags.push({ key: 'mlflow.user', value: user.username }, { key: 'gateway.subject', value: user.subjectKey });
    const { userId: _camel, ...rest } = msg;
    return Buffer.from(JSON.stringify({ ...rest, user_id: user.username, tags }));
  }
  if (shape === 'user_id') {
    // The handler reads request.json.get("user_id") only (no camelCase spelling).
    const rest: Record<string, unknown> = { ...msg, user_id: user.username };
    if (Array.isArray(msg.tags)) rest.tags = (msg.tags as unknown[]).filter((t) => !isIdentityTag(t));
    return Buffer.from(JSON.stringify(rest));
  }
  if (TAG_WRITERS.has(rpc)) {
    const keys = rpc === 'LogBatch' ? (Array.isArray(msg.tags) ? (msg.tags as unknown[]).map(tagKey) : []) : [msg.key];
    const touched = keys.find((k) => typeof k === 'string' && (IDENTITY_TAGS as readonly string[]).includes(k));
    if (touched !== undefined) {
      throw new GatewayError('GW_DENIED', `The run tag ${String(touched)} records who created the run and cannot be changed`);
    }
  }
  return undefined;
}

function tagKey(t: unknown): unknown {
  return typeof t === 'object' && t !== null ? (t as { key?: unknown }).key : undefined;
}

function isIdentityTag(t: unknown): boolean {
  const k = tagKey(t);
  return typeof k === 'string' && (IDENTITY_TAGS as readonly string[]).includes(k);
}
