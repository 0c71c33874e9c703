// The policy's name matching (src/policy/patterns.ts), for previews in the browser: glob with `*`
// and `?` on code points, regex as a full match with the 'u' flag; case-sensitive.
export function globMatch(pattern: string, name: string): boolean {
  const p = Array.from(pattern);
  const s = Array.from(name);
  let pi = 0;
  let si = 0;
  let star = -1;
  let mark = 0;
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

/** A matcher for the pattern, or the reason it cannot be used (as the admin API would refuse it). */
export function compile(matcher: string, pattern: string): ((name: string) => boolean) | string {
  if (pattern.length === 0) return 'pattern must not be empty';
  if (matcher === 'glob') return (name) => globMatch(pattern, name);
  try {
    new RegExp(pattern, 'u');
    const re = new RegExp(`^(?:${pattern})$`, 'u');
    return (name) => re.test(name);
  } catch (e) {
    return `invalid regular expression: ${(e as Error).message}`;
  }
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
