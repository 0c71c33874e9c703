// Claim mappings: small expressions that say where the username, email and groups come from.
// Parsed once at start-up into a tree and evaluated by a fixed interpreter: no eval, no regex from
// configuration, bounded length and depth. Pure functions.
//
//   expr     := union (('|' | ',') union)*    first alternative that yields a value wins
//   union    := primary ('+' primary)*        values of all parts together (duplicates dropped)
//   primary  := FUNC '(' alts (',' STRING)? ')' | '(' alts ')' | PATH
//   alts     := union ('|' union)*            (inside parentheses ',' separates arguments)
//
// PATH is a claim path (see path.ts: `realm_access.roles`, `cognito:groups`, `https://x\.com/groups`);
// it may not contain spaces or the characters ( ) | , + ". STRING is "double-quoted" with \" and \\.
// Examples:
//   preferred_username|email              username: the first claim present (a list with commas works too)
//   localpart(email)                      the part before the '@' of a well-formed address
//   realm_access.roles + resource_access.mlflow.roles
//   strip_prefix(groups, "mlflow-")       only groups starting with mlflow-, without that prefix
//   prefix(groups, "okta:")               every group, prefixed
import { parseEmail } from './email.js';
import { ClaimPathError, claimAtPath, parseClaimPath } from './path.js';

export type MappingExpr =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'call'; readonly fn: MappingFunction; readonly arg: MappingExpr; readonly text?: string }
  | { readonly kind: 'union'; readonly items: readonly MappingExpr[] }
  | { readonly kind: 'firstOf'; readonly items: readonly MappingExpr[] };

const FUNCTIONS = {
  lower: { text: false, apply: (v: string) => v.toLowerCase() },
  localpart: { text: false, apply: (v: string) => parseEmail(v)?.local },
  domain: { text: false, apply: (v: string) => parseEmail(v)?.domain },
  prefix: { text: true, apply: (v: string, t: string) => t + v },
  suffix: { text: true, apply: (v: string, t: string) => v + t },
  strip_prefix: { text: true, apply: (v: string, t: string) => (v.startsWith(t) && v.length > t.length ? v.slice(t.length) : undefined) },
  strip_suffix: { text: true, apply: (v: string, t: string) => (v.endsWith(t) && v.length > t.length ? v.slice(0, -t.length) : undefined) },
} as const satisfies Record<string, { text: boolean; apply: (v: string, t: string) => string | undefined }>;

export type MappingFunction = keyof typeof FUNCTIONS;
export const MAPPING_FUNCTIONS = Object.keys(FUNCTIONS) as MappingFunction[];

export class MappingSyntaxError extends Error {}

const MAX_LENGTH = 1000;
const MAX_DEPTH = 8;

type Token = { t: 'punct'; v: '(' | ')' | '|' | ',' | '+'; at: number } | { t: 'string'; v: string; at: number } | { t: 'word'; v: string; at: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if ('()|,+'.includes(ch)) {
      out.push({ t: 'punct', v: ch as '(' | ')' | '|' | ',' | '+', at: i });
      i++;
    } else if (ch === '"') {
      const at = i;
      let v = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new MappingSyntaxError(`unterminated string starting at position ${at + 1}`);
        const c = src[i]!;
        if (c === '"') break;
        if (c === '\\') {
          const n = src[i + 1];
          if (n !== '"' && n !== '\\') throw new MappingSyntaxError(`in a string, a backslash must be followed by " or \\ (position ${i + 1})`);
          v += n;
          i += 2;
        } else {
          v += c;
          i++;
        }
      }
      i++;
      out.push({ t: 'string', v, at });
    } else {
      const at = i;
      while (i < src.length && !/[\s()|,+"]/.test(src[i]!)) i++;
      out.push({ t: 'word', v: src.slice(at, i), at });
    }
  }
  return out;
}

/** Parses a mapping expression; throws MappingSyntaxError with a message fit for a configuration error. */
export function parseMapping(src: string): MappingExpr {
  if (src.length > MAX_LENGTH) throw new MappingSyntaxError(`is longer than ${MAX_LENGTH} characters`);
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const isPunct = (v: string) => peek()?.t === 'punct' && peek()!.v === v;
  const fail = (what: string): never => {
    const tok = peek();
    throw new MappingSyntaxError(tok ? `${what} at position ${tok.at + 1} (found "${tok.v}")` : `${what} at the end`);
  };

  function alternatives(depth: number, separators: string): MappingExpr {
    if (depth > MAX_DEPTH) fail(`nests deeper than ${MAX_DEPTH} levels`);
    const items = [union(depth)];
    while (peek()?.t === 'punct' && separators.includes(peek()!.v)) {
      pos++;
      items.push(union(depth));
    }
    return items.length === 1 ? items[0]! : { kind: 'firstOf', items };
  }

  function union(depth: number): MappingExpr {
    const items = [primary(depth)];
    while (isPunct('+')) {
      pos++;
      items.push(primary(depth));
    }
    return items.length === 1 ? items[0]! : { kind: 'union', items };
  }

  function primary(depth: number): MappingExpr {
    const tok = peek();
    if (tok?.t === 'punct' && tok.v === '(') {
      pos++;
      const inner = alternatives(depth + 1, '|');
      if (!isPunct(')')) fail('expected ")"');
      pos++;
      return inner;
    }
    if (tok?.t !== 'word') return fail('expected a claim path or a function');
    pos++;
    const next = peek();
    if (next?.t === 'punct' && next.v === '(') {
      if (!Object.hasOwn(FUNCTIONS, tok.v)) throw new MappingSyntaxError(`unknown function "${tok.v}" (known: ${MAPPING_FUNCTIONS.join(', ')})`);
      const fn = tok.v as MappingFunction;
      pos++;
      const arg = alternatives(depth + 1, '|');
      let text: string | undefined;
      if (FUNCTIONS[fn].text) {
        if (!isPunct(',')) fail(`${fn}() needs a second argument, a "quoted" text`);
        pos++;
        const s = peek();
        if (s?.t !== 'string') return fail(`${fn}() needs a "quoted" text as second argument`);
        text = s.v;
        pos++;
      }
      if (!isPunct(')')) fail('expected ")"');
      pos++;
      return text === undefined ? { kind: 'call', fn, arg } : { kind: 'call', fn, arg, text };
    }
    try {
      parseClaimPath(tok.v);
    } catch (err) {
      if (err instanceof ClaimPathError) throw new MappingSyntaxError(err.message);
      throw err;
    }
    return { kind: 'path', path: tok.v };
  }

  if (tokens.length === 0) throw new MappingSyntaxError('is empty');
  const expr = alternatives(0, '|,');
  if (pos < tokens.length) fail('unexpected text');
  return expr;
}

export interface EvaluateOptions {
  /** Groups: a claim that is one string is read as a comma-separated list (some IdPs send `"a,b"`). */
  readonly splitCommaStrings?: boolean;
}

/** Every value the expression yields, as non-empty strings in order, without duplicates. */
export function evaluateMapping(expr: MappingExpr, claims: Record<string, unknown>, opts: EvaluateOptions = {}): string[] {
  switch (expr.kind) {
    case 'path':
      return valuesOf(claimAtPath(claims, expr.path), opts);
    case 'call': {
      const f = FUNCTIONS[expr.fn];
      const out: string[] = [];
      for (const v of evaluateMapping(expr.arg, claims, opts)) {
        const r = f.apply(v, expr.text ?? '');
        if (r !== undefined && r.length > 0) out.push(r);
      }
      return unique(out);
    }
    case 'union':
      return unique(expr.items.flatMap((e) => evaluateMapping(e, claims, opts)));
    case 'firstOf':
      for (const e of expr.items) {
        const values = evaluateMapping(e, claims, opts);
        if (values.length > 0) return values;
      }
      return [];
  }
}

/** The first value the expression yields (username, email), or undefined. */
export function firstMappedValue(expr: MappingExpr, claims: Record<string, unknown>): string | undefined {
  return evaluateMapping(expr, claims)[0];
}

/** Strings as they are, a number spelled out (numeric ids), arrays' strings; objects, booleans and other array items yield nothing. */
function valuesOf(v: unknown, opts: EvaluateOptions): string[] {
  if (typeof v === 'string') {
    const parts = opts.splitCommaStrings ? v.split(',').map((s) => s.trim()) : [v];
    return parts.filter((s) => s.length > 0);
  }
  if (typeof v === 'number' && Number.isFinite(v)) return [String(v)];
  if (Array.isArray(v)) return unique(v.filter((x): x is string => typeof x === 'string' && x.length > 0));
  return [];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
