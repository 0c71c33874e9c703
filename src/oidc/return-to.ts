import type { Config } from '../config/index.js';

/**
 * Where to go after sign-in: only a path on the gateway's own origin under its mount point.
 * Anything else (absolute URLs, `//host`, `/\host`, schemes, control characters) falls back to
 * the gateway's root, so `return_to` can never become an open redirect.
 */
export function safeReturnTo(config: Config, raw: string | undefined): string {
  const home = `${config.basePath}/`;
  if (!raw || raw.length > 2048) return home;
  // Only same-origin absolute paths; reject protocol-relative and backslash tricks before parsing.
  if (!raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\') || /[\u0000-\u001f\u007f\\]/.test(raw)) return home;
  let url: URL;
  try {
    url = new URL(raw, config.publicOrigin);
  } catch {
    return home;
  }
  if (url.origin !== config.publicOrigin) return home;
  if (config.basePath !== '' && url.pathname !== config.basePath && !url.pathname.startsWith(`${config.basePath}/`)) return home;
  if (url.pathname.startsWith(`${config.basePath}/_gateway/login`) || url.pathname.startsWith(`${config.basePath}/_gateway/callback`)) return home;
  return `${url.pathname}${url.search}${url.hash}`;
}
