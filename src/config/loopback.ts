const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether a URL points at this machine (where plain http is tolerated for the demo and tests). */
export function isLoopbackUrl(url: string): boolean {
  return LOOPBACK.has(new URL(url).hostname);
}
