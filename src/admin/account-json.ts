// JSON shapes of a user's credentials for the user and session endpoints. Never a secret: tokens
// appear by id, name and prefix; sessions by id, times, address and browser.
import type { ApiToken, Session } from '../store/index.js';

export function sessionJson(s: Session, currentSessionId: string | undefined): Record<string, unknown> {
  return {
    id: s.id, created_at: s.createdAt.toISOString(), expires_at: s.expiresAt.toISOString(), last_seen_at: s.lastSeenAt.toISOString(),
    ip: s.ip, user_agent: s.userAgent, current: s.id === currentSessionId,
  };
}

/** A session that still works: neither past its absolute expiry nor idle for too long. */
export function isLive(s: Session, idleSeconds: number, now = Date.now()): boolean {
  return s.expiresAt.getTime() > now && s.lastSeenAt.getTime() + idleSeconds * 1000 > now;
}

export function tokenSummaryJson(t: ApiToken): Record<string, unknown> {
  return {
    id: t.id, name: t.name, created_at: t.createdAt.toISOString(), expires_at: t.expiresAt.toISOString(),
    last_used_at: t.lastUsedAt?.toISOString() ?? null, read_only: t.readOnly, scope: t.scope,
  };
}
