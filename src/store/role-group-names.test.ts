import { describe, expect, it } from 'vitest';
import { isRoleGroup, roleGroup, withoutRoleGroups } from './role-group-names.js';

describe('reserved role groups', () => {
  it('names a role by its id and recognises the name in any case and padding', () => {
    expect(roleGroup(7)).toBe('mlflow-role:7');
    for (const g of ['mlflow-role:7', 'MLFLOW-ROLE:7', ' mlflow-role:anything', 'Mlflow-Role:']) expect(isRoleGroup(g), g).toBe(true);
    for (const g of ['mlflow-roles', 'team-mlflow-role:7', 'mlflow-admins', '']) expect(isRoleGroup(g), g).toBe(false);
  });

  it('drops reserved names from groups that come from outside, keeping the order of the rest', () => {
    expect(withoutRoleGroups(['b', 'mlflow-role:1', 'a', 'MLFLOW-ROLE:2'])).toEqual(['b', 'a']);
  });
});
