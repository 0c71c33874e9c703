// Container HEALTHCHECK: GET <mount>/_gateway/healthz on the gateway's own port. The mount is the path of
// GATEWAY_PUBLIC_URL (the gateway serves its routes under it). Exit 0 when it answers 200, 1 otherwise.
const port = process.env.GATEWAY_PORT || '8080';
let mount = '';
try {
  mount = new URL(process.env.GATEWAY_PUBLIC_URL ?? 'http://localhost/').pathname.replace(/\/+$/, '');
} catch {
  // An unparsable URL stops the gateway at start-up anyway; probe the root mount.
}
try {
  const res = await fetch(`http://127.0.0.1:${port}${mount}/_gateway/healthz`, { signal: AbortSignal.timeout(4000) });
  process.exit(res.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
