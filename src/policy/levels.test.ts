import { describe, expect, it } from 'vitest';
import { atLeast, isLevel, levelRank, maxLevel, minLevel, requiredLevel } from './levels.js';
import { LEVELS } from './types.js';

describe('levels', () => {
  it('ranks weakest first', () => {
    expect(LEVELS.map(levelRank)).toEqual([0, 1, 2, 3, 4]);
  });

  it('compares', () => {
    expect(atLeast('EDIT', 'READ')).toBe(true);
    expect(atLeast('READ', 'READ')).toBe(true);
    expect(atLeast('USE', 'EDIT')).toBe(false);
    expect(atLeast('NO_PERMISSIONS', 'READ')).toBe(false);
    expect(maxLevel('READ', 'EDIT')).toBe('EDIT');
    expect(maxLevel('MANAGE', 'USE')).toBe('MANAGE');
    expect(minLevel('READ', 'EDIT')).toBe('READ');
    expect(minLevel('MANAGE', 'NO_PERMISSIONS')).toBe('NO_PERMISSIONS');
  });

  it('recognises levels in untrusted input', () => {
    for (const l of LEVELS) expect(isLevel(l)).toBe(true);
    for (const x of ['read', 'ADMIN', '', null, undefined, 3, {}, ['READ']]) expect(isLevel(x)).toBe(false);
  });

  it('maps actions to required levels; delete needs MANAGE so editors cannot delete', () => {
    expect(requiredLevel('read')).toBe('READ');
    expect(requiredLevel('use')).toBe('USE');
    expect(requiredLevel('update')).toBe('EDIT');
    expect(requiredLevel('delete')).toBe('MANAGE');
    expect(requiredLevel('manage')).toBe('MANAGE');
  });
});
