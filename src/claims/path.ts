// Claim paths: how a setting names one value inside a token's claims. Pure functions.
//
// Syntax: segments separated by `.`, e.g. `realm_access.roles`, `resource_access.mlflow.roles`.
// Claim names may contain other characters as they are (`cognito:groups`, `https://example.com/groups`).
// Claim names may also contain dots (Auth0's namespaced `https://example.com/groups`, Kubernetes'
// `kubernetes.io`). Two rules make them reachable:
//   1. Escaping: `\.` is a dot inside a name and `\\` a backslash, so `https://example\.com/groups`
//      names exactly one claim. Any other backslash sequence is a syntax error.
//   2. Longest name first: at each level the longest run of remaining segments that is an own key of
//      the object is tried first, so the unescaped `https://example.com/groups` and
//      `kubernetes.io.namespace` work too. A literal key therefore always wins over a nested path
//      of the same spelling, which keeps the answer deterministic.
// Only own properties are read (`constructor`, `__proto__` never resolve to the prototype).

export class ClaimPathError extends Error {}

/** Splits a path into claim-name segments, applying the escapes. Throws ClaimPathError on bad syntax. */
export function parseClaimPath(path: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === '\\') {
      const next = path[i + 1];
      if (next !== '.' && next !== '\\') throw new ClaimPathError(`claim path "${path}": a backslash must be followed by "." or "\\"`);
      cur += next;
      i++;
    } else if (ch === '.') {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  parts.push(cur);
  if (parts.some((p) => p.length === 0)) throw new ClaimPathError(`claim path "${path}" has an empty segment`);
  return parts;
}

/** The value at a claim path, or undefined. Throws ClaimPathError only on a malformed path. */
export function claimAtPath(claims: unknown, path: string): unknown {
  return walk(claims, parseClaimPath(path));
}

function walk(node: unknown, parts: readonly string[]): unknown {
  if (parts.length === 0) return node;
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const obj = node as Record<string, unknown>;
  for (let i = parts.length; i >= 1; i--) {
    const key = parts.slice(0, i).join('.');
    if (Object.hasOwn(obj, key)) {
      const found = walk(obj[key], parts.slice(i));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
