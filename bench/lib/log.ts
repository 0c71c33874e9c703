// Progress lines on stderr, with the time since the run started.
const t0 = performance.now();

export function log(message: string): void {
  const s = ((performance.now() - t0) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${s}s] ${message}\n`);
}
