// What a cache may have to forget. Every store write that changes who may do what publishes one of
// these (src/cache/publishing-store.ts); every replica's caches drop what it names.
import { RESOURCE_TYPES, type ResourceType } from '../policy/types.js';

export type Invalidation =
  /** A token was revoked, rotated or created (by id). */
  | { readonly kind: 'token'; readonly id: string }
  /** Every token of a user (revoke-all). */
  | { readonly kind: 'user-tokens'; readonly userId: string }
  /** A session was deleted or its IdP tokens changed. */
  | { readonly kind: 'session'; readonly id: string }
  /** Every session of a user (disable, sign-out everywhere). */
  | { readonly kind: 'user-sessions'; readonly userId: string }
  /** A user's record changed: disabled/enabled, groups, admin flag. */
  | { readonly kind: 'user'; readonly id: string }
  /** Grants on resources of this type changed. */
  | { readonly kind: 'grants'; readonly resourceType: ResourceType }
  /** Pattern rules for this resource type changed. */
  | { readonly kind: 'patterns'; readonly resourceType: ResourceType }
  /** An MLflow experiment / model was deleted or renamed through a replica: its child → owner answers are stale. */
  | { readonly kind: 'mlflow-object'; readonly resourceType: ResourceType; readonly id: string }
  /** Protected-key rules or team defaults changed. */
  | { readonly kind: 'rules' }
  /** Service accounts, trust rules or client mappings changed. */
  | { readonly kind: 'federation' }
  /** Forget everything (a replica lost its bus link, or another process wrote the SQLite file). */
  | { readonly kind: 'all' };

/** The wire form between replicas: who sent it (to skip our own echo) and what. */
export function encodeInvalidation(origin: string, event: Invalidation): string {
  return JSON.stringify({ o: origin, e: event });
}

/**
 * Parses a message from another replica. Anything malformed becomes `all`: a message we cannot
 * read may still have been an invalidation, and forgetting too much is only slower.
 */
export function decodeInvalidation(text: string): { origin: string; event: Invalidation } {
  try {
    const { o, e } = JSON.parse(text) as { o?: unknown; e?: Record<string, unknown> };
    const origin = typeof o === 'string' ? o : '';
    return { origin, event: validEvent(e) ?? { kind: 'all' } };
  } catch {
    return { origin: '', event: { kind: 'all' } };
  }
}

function validEvent(e: Record<string, unknown> | undefined): Invalidation | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const str = (k: string) => (typeof e[k] === 'string' && e[k] !== '' ? (e[k] as string) : undefined);
  const type = (RESOURCE_TYPES as readonly string[]).includes(e.resourceType as string) ? (e.resourceType as ResourceType) : undefined;
  switch (e.kind) {
    case 'token': { const id = str('id'); return id ? { kind: 'token', id } : undefined; }
    case 'session': { const id = str('id'); return id ? { kind: 'session', id } : undefined; }
    case 'user': { const id = str('id'); return id ? { kind: 'user', id } : undefined; }
    case 'user-tokens': { const userId = str('userId'); return userId ? { kind: 'user-tokens', userId } : undefined; }
    case 'user-sessions': { const userId = str('userId'); return userId ? { kind: 'user-sessions', userId } : undefined; }
    case 'grants': return type ? { kind: 'grants', resourceType: type } : undefined;
    case 'patterns': return type ? { kind: 'patterns', resourceType: type } : undefined;
    case 'mlflow-object': { const id = str('id'); return type && id ? { kind: 'mlflow-object', resourceType: type, id } : undefined; }
    case 'federation': return { kind: 'federation' };
    case 'rules': return { kind: 'rules' };
    case 'all': return { kind: 'all' };
    default: return undefined;
  }
}
