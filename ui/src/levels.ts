// Levels in the words people use, shown next to the raw level everywhere a level is chosen.
/** What each level allows, in the words people use (not the raw enum). */
export const LEVEL_HELP: Record<string, string> = {
  NO_PERMISSIONS: 'no access',
  READ: 'see it, its runs, metrics and artifacts',
  USE: 'read, and call it (AI-gateway endpoints)',
  EDIT: 'read, log runs and change it',
  MANAGE: 'edit, delete, and share it with others',
};
