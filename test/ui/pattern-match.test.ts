import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../src/policy/index.js';
import { compile, literalPrefix } from '../../ui/src/pattern-match.js';

// The web UI previews a pattern rule with the policy's own matching (ui/src/pattern-match.ts
// imports src/policy/patterns.ts), but it asks MLflow only for names containing the pattern's
// literal start: every name the policy matches must start with it, or the preview would miss
// matches and show an administrator less than the rule reaches.
const rule = (matcher: 'glob' | 'regex', pattern: string) =>
  ({ id: 'p', principalType: 'group', principal: 'g', resourceType: 'experiment', matcher, pattern, level: 'READ' }) as const;

describe('UI pattern preview', () => {
  const alphabet = fc.constantFrom('a', 'b', '-', '*', '?', '.', '(', ')', '|', '[', ']', '\\', '{', '}', '0', ',', '+', '😀', 'A');
  const text = fc.array(alphabet, { maxLength: 8 }).map((a) => a.join(''));

  it.each(['glob', 'regex'] as const)('%s: every name the policy matches starts with the literal prefix the preview searches for', (matcher) => {
    fc.assert(fc.property(text, text, (pattern, name) => {
      if (matchesPattern(rule(matcher, pattern), name)) expect(name.startsWith(literalPrefix(matcher, pattern))).toBe(true);
    }), { numRuns: 3000 });
    expect(literalPrefix(matcher, 'res-team-a-' + (matcher === 'glob' ? '*' : '.*'))).toBe('res-team-a-');
  });

  it('regex prefixes: quantifiers take the last literal, alternations give none', () => {
    expect(['ab?c', 'ab*', 'ab{0,2}', 'ab+', 'a|b', 'abc', '(ab)'].map((p) => literalPrefix('regex', p))).toEqual(['a', 'a', 'a', 'ab', '', 'abc', '']);
  });

  it('known cases: full match, case-sensitive, ? is one code point, refusals as the admin API words them', () => {
    const glob = compile('glob', 'team-a-*') as (n: string) => boolean;
    expect([glob('team-a-x'), glob('xteam-a-x'), glob('TEAM-A-x')]).toEqual([true, false, false]);
    expect((compile('glob', 'a?') as (n: string) => boolean)('a😀')).toBe(true);
    expect((compile('regex', 'a|b') as (n: string) => boolean)('ab')).toBe(false);
    expect(compile('regex', 'a)|(b')).toMatch(/invalid regular expression/);
    expect(compile('glob', '')).toBe('pattern must not be empty');
    expect(compile('glob', 'a'.repeat(513))).toMatch(/longer than 512/);
    expect(compile('wildcard', 'a')).toMatch(/unknown matcher/);
  });
});
