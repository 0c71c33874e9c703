import { GatewayError } from '../errors/index.js';

/**
 * The deepest nesting of arrays and objects the gateway lets through in a JSON request body
 * (and of selection sets, lists and objects in a GraphQL document). Fixed, not configurable:
 * MLflow's protobuf JSON parser refuses messages nested deeper than 100 (json_format's
 * max_recursion_depth, which Struct/Value fields count too), and its fixed-shape requests are far
 * shallower (OTLP JSON export about 12 levels, GraphQL variables and search filters under 10).
 * Deeper bodies only ever reached MLflow's recursive parsers, which answered 500.
 */
export const MAX_JSON_DEPTH = 100;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Whether the JSON text in `bytes` nests arrays/objects at most `limit` deep. One pass over the raw
 * bytes, no recursion and no parse, so a 200,000-level bomb costs a loop, not a stack. Only nesting
 * is judged (brackets outside strings); validity is left to the parser. UTF-8 continuation bytes
 * never equal an ASCII bracket, quote or backslash, so scanning bytes is exact.
 */
export function jsonDepthWithin(bytes: Uint8Array, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++; // the escaped character cannot end the string
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_BRACKET || b === OPEN_BRACE) {
      if (++depth > limit) return false;
    } else if (b === CLOSE_BRACKET || b === CLOSE_BRACE) depth--;
  }
  return true;
}

/**
 * The same for a GraphQL document: `{` selection sets, `[` lists and `(` arguments, outside
 * strings ("…" and """…""") and comments (# to end of line). The gateway's GraphQL parser
 * (graphql-js) and MLflow's (graphql-core) both recurse per level.
 */
export function graphqlDepthWithin(query: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (c === '#') {
      const end = query.indexOf('\n', i);
      if (end < 0) return true;
      i = end;
    } else if (c === '"') {
      if (query.startsWith('"""', i)) {
        const end = findBlockStringEnd(query, i + 3);
        if (end < 0) return true;
        i = end + 2;
      } else {
        for (i++; i < query.length && query[i] !== '"' && query[i] !== '\n'; i++) if (query[i] === '\\') i++;
      }
    } else if (c === '{' || c === '[' || c === '(') {
      if (++depth > limit) return false;
    } else if (c === '}' || c === ']' || c === ')') depth--;
  }
  return true;
}

function findBlockStringEnd(query: string, from: number): number {
  for (let i = from; i < query.length; i++) {
    if (query[i] === '\\' && query.startsWith('\\"""', i)) i += 3;
    else if (query.startsWith('"""', i)) return i;
  }
  return -1;
}

export function tooDeep(what: string): GatewayError {
  return new GatewayError('GW_BODY_TOO_DEEP', `The ${what} nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels, more than any MLflow request can`);
}

/** Refuses a JSON body nested deeper than MAX_JSON_DEPTH (400 GW_BODY_TOO_DEEP). */
export function assertJsonDepth(bytes: Uint8Array, what = 'JSON request body'): void {
  if (!jsonDepthWithin(bytes)) throw tooDeep(what);
}
