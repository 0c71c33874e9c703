import type { Config } from '../config/index.js';

/**
 * Where to go after sign-in: only a path on the gateway's own origin under its mount point.
 *
 * What is checked is what will be used: `raw` is resolved against the public origin with the
 * WHATWG URL parser (the one browsers apply to a Location header), dot segments, `%2e`, backslashes
 * and all; the normalised path is emitted, and it must resolve back to exactly the same URL on
 * the same origin. That refuses `/.//evil.example/x`, `/x/..//evil.example`, `/%2e//evil.example`
 * (all normalise to the protocol-relative `//evil.example`), `/\evil.example`, schemes and control
 * characters. Anything refused falls back to the gateway's root, so `return_to` can never become
 * an open redirect.
 */
export function safeReturnTo(config: Config, raw: string | undefined): string {
  const home = `${config.basePath}/`;
  if (!raw || raw.length > 2048) return home;
  // Only absolute paths; control characters (tab and newline are stripped by URL parsers) and
  // backslashes (read as `/` in http URLs) are refused outright rather than interpreted.
  if (!raw.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(raw)) return home;
  const url = parse(raw, config.publicOrigin);
  if (!url || url.origin !== config.publicOrigin) return home;
  const path = url.pathname;
  // A path beginning with two slashes is a protocol-relative URL in a Location header.
  if (path.startsWith('//')) return home;
  if (config.basePath !== '' && path !== config.basePath && !path.startsWith(`${config.basePath}/`)) return home;
  if (path.startsWith(`${config.basePath}/_gateway/login`) || path.startsWith(`${config.basePath}/_gateway/callback`) || path.startsWith(`${config.basePath}/_gateway/logout`)) return home;
  const normalised = `${path}${url.search}${url.hash}`;
  // Idempotence: the emitted value, read again as a browser would, is the same URL on the same origin.
  const again = parse(normalised, config.publicOrigin);
  if (!again || again.href !== url.href) return home;
  return normalised;
}

function parse(raw: string, base: string): URL | undefined {
  try {
    return new URL(raw, base);
  } catch {
    return undefined;
  }
}
