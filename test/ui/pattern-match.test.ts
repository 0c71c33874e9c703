import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesPattern, validatePattern } from '../../src/policy/index.js';
import { compile, literalPrefix } from '../../ui/src/pattern-match.js';

// The web UI previews what a pattern rule matches with its own copy of the policy's matching
// (the UI bundle does not import server code). A preview that disagrees with the policy would show
// an administrator the wrong reach: the copy must agree with src/policy on every input.
const rule = (matcher: 'glob' | 'regex', pattern: string) =>
  ({ id: 'p', principalType: 'group', principal: 'g', resourceType: 'experiment', matcher, pattern, level: 'READ' }) as const;

describe('UI pattern preview agrees with the policy', () => {
  const alphabet = fc.constantFrom('a', 'b', '-', '*', '?', '.', '(', ')', '|', '[', ']', '\\', '😀', 'A');
  const text = fc.array(alphabet, { maxLength: 8 }).map((a) => a.join(''));

  it.each(['glob', 'regex'] as const)('%s: same match and same refusal on random patterns and names', (matcher) => {
    fc.assert(fc.property(text, text, (pattern, name) => {
      const test = compile(matcher, pattern);
      const unusable = validatePattern(matcher, pattern);
      expect(typeof test === 'string').toBe(unusable !== null);
      if (typeof test !== 'string') expect(test(name)).toBe(matchesPattern(rule(matcher, pattern), name));
    }), { numRuns: 3000 });
  });

  // The preview asks MLflow only for names containing the pattern's literal start: every name the
  // rule matches must contain it, or the preview would miss matches.
  it.each(['glob', 'regex'] as const)('%s: every matched name starts with the literal prefix the preview searches for', (matcher) => {
    fc.assert(fc.property(text, text, (pattern, name) => {
      const test = compile(matcher, pattern);
      if (typeof test !== 'string' && test(name)) expect(name.startsWith(literalPrefix(matcher, pattern))).toBe(true);
    }), { numRuns: 3000 });
    expect(literalPrefix(matcher, 'res-team-a-' + (matcher === 'glob' ? '*' : '.*'))).toBe('res-team-a-');
  });

  it('regex prefixes: quantifiers take the last literal, alternations give none', () => {
    expect(['ab?c', 'ab*', 'ab{0,2}', 'ab+', 'a|b', 'abc', '(ab)'].map((p) => literalPrefix('regex', p))).toEqual(['a', 'a', 'a', 'ab', '', 'abc', '']);
  });

  it('known cases: full match, case-sensitive, ? is one code point', () => {
    const glob = compile('glob', 'team-a-*') as (n: string) => boolean;
    expect([glob('team-a-x'), glob('xteam-a-x'), glob('TEAM-A-x')]).toEqual([true, false, false]);
    expect((compile('glob', 'a?') as (n: string) => boolean)('a😀')).toBe(true);
    expect((compile('regex', 'a|b') as (n: string) => boolean)('ab')).toBe(false);
    expect(compile('regex', 'a)|(b')).toMatch(/invalid regular expression/);
  });
});
