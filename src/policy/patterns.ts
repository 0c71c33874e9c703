// Name-pattern rules: matching, validation and ranking. Pure and synchronous; the only state is
// a bounded cache of compiled regular expressions.
import { grantLevelRank } from './levels.js';
import type { PatternRule } from './types.js';

/** Longest pattern the admin API accepts. Longer stored patterns never match (see isUsable). */
export const MAX_PATTERN_LENGTH = 512;

/** How many compiled regexes to keep. Rules are few; the bound only stops unbounded growth. */
const REGEX_CACHE_LIMIT = 500;

/**
 * Why a pattern cannot be used, or null if it can. Used by the admin API to reject a rule up
 * front, and by matchesPattern so that an unusable rule that slipped into storage never matches.
 */
export function validatePattern(matcher: PatternRule['matcher'], pattern: string): string | null {
  if (pattern.length === 0) return 'pattern must not be empty';
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return `pattern is longer than ${MAX_PATTERN_LENGTH} characters`;
  }
  if (matcher === 'glob') return null; // every non-empty string is a valid glob
  if (matcher === 'regex') {
    try {
      // Compiled on its own, not wrapped in ^(?:…)$: a fragment such as `a)|(b` is only
      // "valid" once wrapped, and would then break out of the anchors. Requiring the bare
      // pattern to compile guarantees the wrapping cannot change its meaning.
      new RegExp(pattern, REGEX_FLAGS);
      return null;
    } catch (err) {
      return `invalid regular expression: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  return `unknown matcher ${JSON.stringify(matcher)}`;
}

/**
 * Does `rule.pattern` match the whole of `resourceName`? Case-sensitive. Never throws: a pattern
 * validatePattern rejects (empty, too long, invalid regex) matches nothing.
 */
export function matchesPattern(rule: PatternRule, resourceName: string): boolean {
  if (rule.matcher === 'glob') {
    if (validatePattern('glob', rule.pattern) !== null) return false;
    return globMatch(rule.pattern, resourceName);
  }
  if (rule.matcher === 'regex') {
    const re = compileRegex(rule.pattern);
    return re !== null && re.test(resourceName);
  }
  return false; // unknown matcher from a malformed row: deny rather than guess
}

// --- glob -----------------------------------------------------------------------------------

/**
 * `*` = any run of characters (including none), `?` = exactly one character, everything else
 * literal (there is no escape character: `\*` is a backslash then a wildcard). Works on code
 * points so `?` matches one emoji, not half a surrogate pair.
 *
 * Implemented directly rather than by translating to a RegExp: the greedy star-backtracking
 * loop below is O(pattern × name) in the worst case, whereas `.*a.*a.*a…` regexes can backtrack
 * polynomially with a high exponent.
 */
export function globMatch(pattern: string, name: string): boolean {
  const p = Array.from(pattern);
  const s = Array.from(name);
  let pi = 0;
  let si = 0;
  let star = -1; // index in p of the last `*` seen
  let mark = 0; // index in s that the last `*` currently extends to
  while (si < s.length) {
    const pc = p[pi];
    if (pc !== undefined && pc !== '*' && (pc === '?' || pc === s[si])) {
      pi++;
      si++;
    } else if (pc === '*') {
      star = pi;
      mark = si;
      pi++;
    } else if (star !== -1) {
      // Mismatch after a star: let the star swallow one more character and retry.
      pi = star + 1;
      mark++;
      si = mark;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

// --- regex ----------------------------------------------------------------------------------

// 'u' makes the parser strict (unknown escapes such as `\-` are errors, caught at validation
// instead of silently meaning something else) and makes `.` match whole code points.
const REGEX_FLAGS = 'u';

// Insertion-ordered Map used as an LRU: a hit is re-inserted at the end, eviction takes the
// first key. Invalid patterns are cached as null so they are not re-parsed on every request.
const regexCache = new Map<string, RegExp | null>();

function compileRegex(pattern: string): RegExp | null {
  if (regexCache.has(pattern)) {
    const cached = regexCache.get(pattern) ?? null;
    regexCache.delete(pattern);
    regexCache.set(pattern, cached);
    return cached;
  }
  let re: RegExp | null = null;
  if (validatePattern('regex', pattern) === null) {
    try {
      // Full match, like Python's re.fullmatch: `team-a` must not match "xteam-a-y". The group
      // keeps alternation inside the anchors (`a|b` → ^(?:a|b)$, not ^a|b$).
      re = new RegExp(`^(?:${pattern})$`, REGEX_FLAGS);
    } catch {
      re = null;
    }
  }
  if (regexCache.size >= REGEX_CACHE_LIMIT) {
    const oldest = regexCache.keys().next();
    if (oldest.done !== true) regexCache.delete(oldest.value);
  }
  regexCache.set(pattern, re);
  return re;
}

/** For tests: how many compiled regexes are cached (must stay bounded). */
export function regexCacheSize(): number {
  return regexCache.size;
}

// --- specificity ----------------------------------------------------------------------------

/**
 * How specific a rule is; when several rules of the same principal kind match, the highest
 * wins. Globs: the number of literal (non-`*`, non-`?`) characters. Regexes: the number of
 * literal characters left after stripping regex syntax — metacharacters, class escapes (`\d`,
 * `\w`…), character classes (`[a-z]`), quantifier braces (`{2,3}`) and group prefixes
 * (`(?:`, `(?<name>`). An escaped metacharacter (`\.`) is a literal and counts as one.
 */
export function patternSpecificity(rule: Pick<PatternRule, 'matcher' | 'pattern'>): number {
  const chars = Array.from(rule.pattern);
  if (rule.matcher === 'glob') return chars.filter((c) => c !== '*' && c !== '?').length;
  return regexLiteralCount(chars);
}

const REGEX_META = new Set(['^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);

function regexLiteralCount(chars: readonly string[]): number {
  let n = 0;
  let i = 0;
  while (i < chars.length) {
    const c = chars[i];
    if (c === '\\') {
      const next = chars[i + 1];
      // `\.` is a literal dot; `\d`, `\b`, `\1`, `\p` are classes, assertions or references.
      if (next !== undefined && !/[A-Za-z0-9]/.test(next)) n++;
      i += 2;
    } else if (c === '[') {
      i = skipCharacterClass(chars, i);
    } else if (c === '{') {
      const close = chars.indexOf('}', i);
      i = close === -1 ? i + 1 : close + 1;
    } else if (c === '(' && chars[i + 1] === '?') {
      i = skipGroupPrefix(chars, i);
    } else {
      if (c !== undefined && !REGEX_META.has(c)) n++;
      i++;
    }
  }
  return n;
}

/** Index just past the `]` closing the class opened at `start`. */
function skipCharacterClass(chars: readonly string[], start: number): number {
  let i = start + 1;
  while (i < chars.length) {
    if (chars[i] === '\\') i += 2;
    else if (chars[i] === ']') return i + 1;
    else i++;
  }
  return i;
}

/** Index just past `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!` or `(?<name>` starting at `start`. */
function skipGroupPrefix(chars: readonly string[], start: number): number {
  const kind = chars[start + 2];
  if (kind === '<') {
    const after = chars[start + 3];
    if (after === '=' || after === '!') return start + 4;
    const close = chars.indexOf('>', start);
    return close === -1 ? start + 3 : close + 1;
  }
  return start + 3;
}

/**
 * Orders matching rules best-first: most specific, then — on a tie — the LOWER level (when two
 * rules are equally specific, the safer one wins), then rule id so the result never depends
 * on the order the store returned rows in. Negative when `a` beats `b`.
 */
export function comparePatternRules(a: PatternRule, b: PatternRule): number {
  const bySpecificity = patternSpecificity(b) - patternSpecificity(a);
  if (bySpecificity !== 0) return bySpecificity;
  const byLevel = grantLevelRank(a.level) - grantLevelRank(b.level);
  if (byLevel !== 0) return byLevel;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
