// The pattern-rule preview: the policy's own matching (src/policy/patterns.ts, pure, bundled into
// the UI by Vite) so the preview cannot disagree with what the gateway decides, plus the literal
// start the preview searches MLflow for.
import { matchesPattern, validatePattern } from '../../src/policy/patterns.js';

/** A matcher for the pattern, or the reason it cannot be used (the admin API's own refusal). */
export function compile(matcher: string, pattern: string): ((name: string) => boolean) | string {
  if (matcher !== 'glob' && matcher !== 'regex') return `unknown matcher ${JSON.stringify(matcher)}`;
  const unusable = validatePattern(matcher, pattern);
  if (unusable !== null) return unusable;
  const rule = { id: 'preview', principalType: 'group', principal: '', resourceType: 'experiment', matcher, pattern, level: 'READ' } as const;
  return (name) => matchesPattern(rule, name);
}

const REGEX_SPECIAL = new Set(Array.from('\\^$.|?*+()[]{}'));

/**
 * The literal text every name the pattern matches starts with (possibly ''): a search for names
 * containing it returns a superset of the matches, which the preview then matches exactly. Regexes
 * with an alternation anywhere give '' (each branch has its own start); a quantifier that can
 * remove the last literal (`?`, `*`, `{0,…}`) takes it off.
 */
export function literalPrefix(matcher: string, pattern: string): string {
  const chars = Array.from(pattern);
  if (matcher === 'glob') {
    const end = chars.findIndex((c) => c === '*' || c === '?');
    return (end === -1 ? chars : chars.slice(0, end)).join('');
  }
  if (chars.includes('|')) return '';
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (!REGEX_SPECIAL.has(c)) {
      out.push(c);
      continue;
    }
    if (c === '?' || c === '*' || c === '{') out.pop();
    break;
  }
  return out.join('');
}
