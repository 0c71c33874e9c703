// Level order for "does this lower someone's access" (the gateway's order: DENY is below NONE).
import type { Level } from '../api';

const RANK: Record<Level, number> = { DENY: -1, NO_PERMISSIONS: 0, READ: 1, USE: 2, EDIT: 3, MANAGE: 4 };

export const lowers = (from: Level | null, to: Level | null): boolean => (RANK[to ?? 'NO_PERMISSIONS'] ?? 0) < (RANK[from ?? 'NO_PERMISSIONS'] ?? 0);
