import { describe, expect, it } from 'vitest';
import { matchesPattern, validatePattern } from '../policy/patterns.js';
import { exactName } from './mlflow-oidc-auth.js';

// mlflow-oidc-auth names AI-gateway objects by name; the gateway's grants are by id, so each such
// grant becomes a rule that must match that one name and nothing else.
describe('exactName: a rule for one AI-gateway object named in mlflow-oidc-auth', () => {
  const rule = (name: string) => ({ id: 'r', principalType: 'user' as const, principal: 'u', resourceType: 'gateway_endpoint' as const, level: 'USE' as const, ...exactName(name) });
  it.each(['chat', 'team.chat', 'a+b (v2)', 'star*name', 'q?', 'back\\slash[1]{2}^$|'])('matches %s exactly, and nothing longer or shorter', (name) => {
    const r = rule(name);
    expect(validatePattern(r.matcher, r.pattern)).toBeNull();
    expect(matchesPattern(r, name)).toBe(true);
    expect(matchesPattern(r, `${name}x`)).toBe(false);
    expect(matchesPattern(r, `x${name}`)).toBe(false);
    expect(matchesPattern(r, name.slice(0, -1))).toBe(false);
  });
  it('does not let a wildcard character in the name widen the rule', () => {
    expect(matchesPattern(rule('star*name'), 'star-anything-name')).toBe(false);
    expect(matchesPattern(rule('q?'), 'qx')).toBe(false);
  });
});
