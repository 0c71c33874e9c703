// Levels in the words people use: a short label for badges and menus, and what each allows.
// The raw enums (NO_PERMISSIONS, DENY…) are the API's; end-user text shows these instead.
/** What each level allows, in the words people use (not the raw enum). */
export const LEVEL_HELP: Record<string, string> = {
  DENY: 'blocked: beats every grant and rule, only an administrator gets through',
  NO_PERMISSIONS: 'no access',
  READ: 'see it, its runs, metrics and artifacts',
  USE: 'read, and call it (AI-gateway endpoints)',
  EDIT: 'read, log runs and change it',
  MANAGE: 'edit, delete, and share it with others',
};

/** The short human label of a level ("No access" for NO_PERMISSIONS). */
export const LEVEL_LABEL: Record<string, string> = {
  DENY: 'Denied',
  NO_PERMISSIONS: 'No access',
  NONE: 'No access',
  READ: 'Read',
  USE: 'Use',
  EDIT: 'Edit',
  MANAGE: 'Manage',
};

export const levelLabel = (level: string): string => LEVEL_LABEL[level] ?? level;

/** "Edit — read, log runs and change it": for <option>s where a level is chosen. */
export const levelOption = (level: string): string => (LEVEL_HELP[level] ? `${levelLabel(level)} — ${LEVEL_HELP[level]}` : levelLabel(level));
