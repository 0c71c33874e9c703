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
