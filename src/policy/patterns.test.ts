import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PATTERN_LENGTH, comparePatternRules, matchesPattern, patternSpecificity, regexCacheSize, validatePattern } from './patterns.js';
import type { Level, PatternRule } from './types.js';

function glob(pattern: string, over: Partial<PatternRule> = {}): PatternRule {
  return { id: 'r', principalType: 'group', principal: 'g', resourceType: 'experiment', matcher: 'glob', pattern, level: 'READ', ...over };
}
function regex(pattern: string, over: Partial<PatternRule> = {}): PatternRule {
  return glob(pattern, { matcher: 'regex', ...over });
}

describe('matchesPattern: glob', () => {
  it.each([
    ['team-a-*', 'team-a-exp', true],
    ['team-a-*', 'team-a-', true], // * matches the empty run
    ['team-a-*', 'team-a', false],
    ['team-a-*', 'xteam-a-exp', false], // full-string match, not substring
    ['*-exp', 'team-a-exp', true],
    ['*-exp', 'team-a-exp2', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbYcZ', false],
    ['a*b*c', 'acb', false],
    ['*a*a*a*b', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', false],
    ['?', 'x', true],
    ['?', '', false],
    ['?', 'xy', false],
    ['??-*', 'ab-c', true],
    ['?', '😀', true], // one code point, not one UTF-16 unit
    ['team.a', 'team.a', true], // regex metacharacters are literal in globs
    ['team.a', 'teamXa', false],
    ['[ab]', '[ab]', true],
    ['[ab]', 'a', false],
    ['a+', 'a+', true],
    ['a+', 'aa', false],
    ['\\*', '\\anything', true], // no escape character: backslash is literal, * is a wildcard
    ['Team-A', 'team-a', false], // case-sensitive
    ['*', '', true],
    ['**', 'x', true],
  ])('glob %j vs %j → %s', (pattern, name, expected) => {
    expect(matchesPattern(glob(pattern), name)).toBe(expected);
  });

  it('an empty or over-long glob never matches', () => {
    expect(matchesPattern(glob(''), '')).toBe(false);
    expect(matchesPattern(glob('*'.repeat(MAX_PATTERN_LENGTH + 1)), 'x')).toBe(false);
    expect(matchesPattern(glob('*'.repeat(MAX_PATTERN_LENGTH)), 'x')).toBe(true);
  });

  it('is fast on pathological inputs', () => {
    const start = performance.now();
    expect(matchesPattern(glob('*a'.repeat(200) + 'b'), 'a'.repeat(5000))).toBe(false);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('matchesPattern: regex', () => {
  it.each([
    ['team-a', 'team-a', true],
    ['team-a', 'xteam-a-y', false], // anchored at both ends
    ['team-a', 'team-a-y', false],
    ['team-a', 'xteam-a', false],
    ['team-a.*', 'team-a-exp', true],
    ['a|b', 'a', true],
    ['a|b', 'ab', false], // alternation stays inside the anchors
    ['a|ab', 'ab', true], // full-match semantics, not "leftmost match equals the string"
    ['team-(a|b)-\\d+', 'team-b-42', true],
    ['team-(a|b)-\\d+', 'team-c-42', false],
    ['TEAM', 'team', false], // case-sensitive
    ['.', '😀', true], // unicode mode: one code point
  ])('regex %j vs %j → %s', (pattern, name, expected) => {
    expect(matchesPattern(regex(pattern), name)).toBe(expected);
  });

  it.each(['(', 'a)|(b', 'zzz)|(.*', '[', '*', '(?<', '\\', 'a{2,1}', '\\-'])('invalid regex %j never matches and never throws', (pattern) => {
    for (const name of ['', '(', 'a', 'b', 'a)|(b', 'zzz', 'anything', pattern]) {
      expect(matchesPattern(regex(pattern), name)).toBe(false);
    }
  });

  it('unknown matcher never matches', () => {
    const weird = { ...glob('*'), matcher: 'sql' } as unknown as PatternRule;
    expect(matchesPattern(weird, 'x')).toBe(false);
  });

  it('keeps the compiled-regex cache bounded', () => {
    for (let i = 0; i < 2000; i++) matchesPattern(regex(`cache-${i}-.*`), 'x');
    expect(regexCacheSize()).toBeLessThanOrEqual(500);
    // Evicted and re-added patterns still work.
    expect(matchesPattern(regex('cache-0-.*'), 'cache-0-x')).toBe(true);
    expect(matchesPattern(regex('cache-1999-.*'), 'cache-1999-x')).toBe(true);
  });
});

describe('validatePattern', () => {
  it('accepts usable patterns', () => {
    expect(validatePattern('glob', 'team-*')).toBeNull();
    expect(validatePattern('glob', '(')).toBeNull(); // not special in a glob
    expect(validatePattern('regex', 'team-(a|b)-.*')).toBeNull();
    expect(validatePattern('regex', 'x'.repeat(MAX_PATTERN_LENGTH))).toBeNull();
  });

  it('rejects unusable patterns with a message', () => {
    expect(validatePattern('glob', '')).toBe('pattern must not be empty');
    expect(validatePattern('regex', '')).toBe('pattern must not be empty');
    expect(validatePattern('glob', 'x'.repeat(MAX_PATTERN_LENGTH + 1))).toBe('pattern is longer than 512 characters');
    expect(validatePattern('regex', 'x'.repeat(MAX_PATTERN_LENGTH + 1))).toBe('pattern is longer than 512 characters');
    expect(validatePattern('regex', 'team-(')).toMatch(/^invalid regular expression: /);
    expect(validatePattern('regex', 'a)|(b')).toMatch(/^invalid regular expression: /);
    expect(validatePattern('sql' as unknown as PatternRule['matcher'], 'x')).toBe('unknown matcher "sql"');
  });
});

describe('patternSpecificity', () => {
  it.each([
    ['glob', '*', 0],
    ['glob', 'team-a-*', 7],
    ['glob', 'team-?-*', 6],
    ['glob', 'team-a-exp', 10],
    ['glob', '😀*', 1],
    ['regex', '.*', 0],
    ['regex', 'team-a', 6],
    ['regex', 'team-a-.*', 7],
    ['regex', 'team-(a|b)-.*', 8],
    ['regex', 'team\\.a', 6], // an escaped metacharacter is a literal
    ['regex', 'run-\\d+', 4], // \d is a class, not a literal
    ['regex', 'x[abc]y', 2], // a character class is not a literal
    ['regex', 'a{2,3}b', 2], // quantifier braces are syntax
    ['regex', '(?:ab)(?<name>c)(?=d)(?<!e)', 5],
    ['regex', '^team$', 4],
  ] as const)('%s %j → %i', (matcher, pattern, expected) => {
    expect(patternSpecificity({ matcher, pattern })).toBe(expected);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.constantFrom('glob' as const, 'regex' as const), fc.string(), (matcher, pattern) => {
        const n = patternSpecificity({ matcher, pattern });
        expect(n).toBeGreaterThanOrEqual(0);
        expect(n).toBeLessThanOrEqual(Array.from(pattern).length);
      }),
    );
  });
});

describe('comparePatternRules', () => {
  const r = (id: string, pattern: string, level: Level): PatternRule => glob(pattern, { id, level });
  const best = (...rules: PatternRule[]): string | undefined => [...rules].sort(comparePatternRules)[0]?.id;

  it('more specific wins regardless of level', () => {
    expect(best(r('broad', 'team-*', 'MANAGE'), r('narrow', 'team-a-*', 'READ'))).toBe('narrow');
    expect(best(r('broad', 'team-*', 'READ'), r('narrow', 'team-a-*', 'MANAGE'))).toBe('narrow');
  });

  it('a tie goes to the lower level, in either order', () => {
    expect(best(r('hi', 'team-a-*', 'EDIT'), r('lo', 'team-?-x*', 'READ'))).toBe('lo');
    expect(best(r('lo', 'team-?-x*', 'READ'), r('hi', 'team-a-*', 'EDIT'))).toBe('lo');
  });

  it('then the rule id, for determinism', () => {
    expect(best(r('r2', 'team-a-*', 'EDIT'), r('r1', 'team-b-*', 'EDIT'))).toBe('r1');
    expect(best(r('r1', 'team-b-*', 'EDIT'), r('r2', 'team-a-*', 'EDIT'))).toBe('r1');
  });
});

describe('matchesPattern: properties', () => {
  const noGlobMeta = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => s.length > 0 && !s.includes('*') && !s.includes('?'));

  it('a glob without wildcards matches exactly itself', () => {
    fc.assert(
      fc.property(noGlobMeta, fc.string({ unit: 'grapheme', maxLength: 40 }), (s, other) => {
        expect(matchesPattern(glob(s), s)).toBe(true);
        expect(matchesPattern(glob(s), other)).toBe(other === s);
        expect(matchesPattern(glob(s), `${s}x`)).toBe(false);
        expect(matchesPattern(glob(s), `x${s}`)).toBe(false);
      }),
    );
  });

  it('glob * matches everything', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        expect(matchesPattern(glob('*'), s)).toBe(true);
      }),
    );
  });

  it('prefix* matches exactly the strings starting with prefix', () => {
    fc.assert(
      fc.property(noGlobMeta, fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 }), (prefix, rest, other) => {
        expect(matchesPattern(glob(`${prefix}*`), prefix + rest)).toBe(true);
        expect(matchesPattern(glob(`${prefix}*`), other)).toBe(other.startsWith(prefix));
      }),
    );
  });

  it('never throws for arbitrary regex strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), (pattern, name) => {
        expect(() => matchesPattern(regex(pattern), name)).not.toThrow();
        expect(typeof matchesPattern(regex(pattern), name)).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('never throws for regex-flavoured strings built from metacharacters', () => {
    const meta = fc.constantFrom('(', ')', '[', ']', '{', '}', '|', '*', '+', '?', '.', '^', '$', '\\', 'a', '<', '>', ':', '=', '!', '1', ',');
    fc.assert(
      fc.property(fc.array(meta, { maxLength: 20 }).map((a) => a.join('')), fc.string({ maxLength: 20 }), (pattern, name) => {
        expect(() => matchesPattern(regex(pattern), name)).not.toThrow();
        expect(() => validatePattern('regex', pattern)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });

  it('a regex that validates matches only whole strings', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z-]{1,10}$/), fc.string({ minLength: 1, maxLength: 5 }), (lit, pad) => {
        expect(matchesPattern(regex(lit), lit)).toBe(true);
        expect(matchesPattern(regex(lit), pad + lit)).toBe(false);
        expect(matchesPattern(regex(lit), lit + pad)).toBe(false);
      }),
    );
  });
});
