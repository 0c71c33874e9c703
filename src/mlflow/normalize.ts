// Request-target normalisation. It runs ONCE per request and the path it returns is exactly the
// path the gateway forwards to MLflow, so the route the gateway authorizes is the route MLflow
// serves: there is no second decoding step anywhere that could disagree.
//
// MLflow sits behind uvicorn, which percent-decodes the path once before routing (Starlette and,
// through the WSGI bridge, Flask see the decoded path). Anything whose meaning changes under that
// decoding — encoded separators, dot segments, NUL — is refused rather than interpreted.

export type NormalizeResult =
  | { readonly ok: true; readonly path: string; /** raw query string, without '?' ('' when none) */ readonly query: string }
  | { readonly ok: false; readonly code: 'GW_BAD_PATH'; readonly message: string };

const HEX = /^[0-9A-Fa-f]{2}$/;

/** Percent-decoded bytes that are refused outright (they would change the path's structure once decoded). */
function isRefusedEncodedByte(byte: number): boolean {
  return (
    byte < 0x20 || // NUL and control characters
    byte === 0x7f ||
    byte === 0x2f || // '/'
    byte === 0x5c || // '\'
    byte === 0x2e || // '.'
    byte === 0x23 || // '#'
    byte === 0x3f // '?'
  );
}

/** RFC 3986 unreserved characters except '.', which is refused when encoded. */
function isDecodableUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // '-'
    byte === 0x5f || // '_'
    byte === 0x7e // '~'
  );
}

function bad(message: string): NormalizeResult {
  return { ok: false, code: 'GW_BAD_PATH', message };
}

/** Only visible ASCII (0x21–0x7e) may appear raw in a request target. */
function hasForbiddenRawChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return true;
  }
  return false;
}

const PREFIX_RE = /^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+$/;

function checkStaticPrefix(staticPrefix: string): void {
  if (staticPrefix === '') return;
  if (!PREFIX_RE.test(staticPrefix) || staticPrefix.split('/').some((s) => s === '.' || s === '..')) {
    throw new Error(`invalid MLflow static prefix ${JSON.stringify(staticPrefix)}: expected e.g. "/mlflow" (no trailing slash)`);
  }
}

/**
 * Normalise a raw request target (`req.url`). Refuses fragments, encoded separators/dots/NUL/control
 * characters (`%2f %5c %2e %23 %3f %00`), matrix parameters (`;`), dot segments, backslashes,
 * non-ASCII and malformed or non-UTF-8 percent-encoding. Collapses `//`, removes a trailing slash
 * (except at the root, which is `staticPrefix + '/'`), decodes percent-encoded unreserved
 * characters (`%41` → `A`) and upper-cases the hex of every other escape. Idempotent.
 */
export function normalizePath(rawUrl: string, staticPrefix = ''): NormalizeResult {
  checkStaticPrefix(staticPrefix);
  if (rawUrl.includes('#')) return bad('fragments are not allowed in a request path');
  const q = rawUrl.indexOf('?');
  const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const query = q === -1 ? '' : rawUrl.slice(q + 1);
  if (hasForbiddenRawChar(query)) return bad('the query string contains a control, space or non-ASCII character');
  if (!rawPath.startsWith('/')) return bad('the request path must start with "/"');
  if (hasForbiddenRawChar(rawPath)) return bad('the request path contains a control, space or non-ASCII character');
  if (rawPath.includes('\\')) return bad('backslashes are not allowed in a request path');
  if (rawPath.includes(';')) return bad('matrix parameters (";") are not allowed in a request path');

  // Percent-encoding: validate every escape, decode unreserved ones, canonicalise the rest. A path
  // without escapes (nearly every request) is already canonical here and all ASCII (checked above).
  const escaped = rawPath.includes('%');
  let canon = escaped ? '' : rawPath;
  for (let i = 0; escaped && i < rawPath.length; i++) {
    const ch = rawPath.charAt(i);
    if (ch !== '%') {
      canon += ch;
      continue;
    }
    const hex = rawPath.slice(i + 1, i + 3);
    if (!HEX.test(hex)) return bad('malformed percent-encoding in the request path');
    const byte = Number.parseInt(hex, 16);
    if (isRefusedEncodedByte(byte)) {
      return bad(`the encoded character %${hex.toUpperCase()} is not allowed in a request path`);
    }
    canon += isDecodableUnreserved(byte) ? String.fromCharCode(byte) : `%${hex.toUpperCase()}`;
    i += 2;
  }
  // Encoded bytes ≥ 0x80 must form valid UTF-8 (uvicorn would otherwise substitute U+FFFD).
  try {
    if (escaped) decodeURIComponent(canon);
  } catch {
    return bad('the request path is not valid UTF-8 once percent-decoded');
  }

  const segments: string[] = [];
  for (const seg of canon.split('/')) {
    if (seg === '') continue; // collapses '//' runs and drops the trailing slash
    if (seg === '.' || seg === '..') return bad('dot segments are not allowed in a request path');
    segments.push(seg);
  }
  const path = `/${segments.join('/')}`;
  // MLflow serves the UI shell at `<prefix>/` (a strict-slash Flask rule): keep that slash, or the
  // gateway and Flask would redirect each other forever.
  if (staticPrefix !== '' && path === staticPrefix) return { ok: true, path: `${staticPrefix}/`, query };
  return { ok: true, path, query };
}

/**
 * The route path relative to the MLflow server root, for a normalised path received under
 * `staticPrefix` (`/mlflow/api/2.0/…` → `/api/2.0/…`, `/mlflow/` → `/`). Returns null when the
 * path is outside the prefix (such a path is not an MLflow route: fail closed).
 */
export function stripStaticPrefix(normalizedPath: string, staticPrefix: string): string | null {
  if (staticPrefix === '') return normalizedPath;
  if (normalizedPath === staticPrefix || normalizedPath === `${staticPrefix}/`) return '/';
  if (normalizedPath.startsWith(`${staticPrefix}/`)) return normalizedPath.slice(staticPrefix.length);
  return null;
}
