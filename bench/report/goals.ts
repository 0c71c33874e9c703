import type { Goal, Results } from './types.js';

// The issue's goals, evaluated on a run (reported, never asserted). Latency goals are judged at
// concurrency 1, where a call's latency is the call's own; concurrency 32 is reported beside it.

export const GOALS = {
  addedP50Ms: 0.3,
  addedP99Ms: 1.5,
  vsOidcAuth: 3,
  filteredSearchRatio: 2,
  artifactThroughput: 0.9,
  /** "Flat memory": the gateway's RSS grows by less than this while a large artifact streams. */
  artifactRssGrowthBytes: 64 * 1024 * 1024,
  /** Gateway CPU per authorized request vs the bare proxy (same HTTP stack, no auth), and in absolute terms. */
  cpuVsBareProxy: 1.5,
  cpuUsPerRequest: 60,
};

const ms = (v: number) => `${v.toFixed(2)} ms`;

export function evaluateGoals(r: Omit<Results, 'goals'>): Goal[] {
  const goals: Goal[] = [];
  const rest = r.rest;
  const gatewayIds = Object.entries(r.targets).filter(([id, t]) => t.kind === 'gateway' && !id.includes(':')).map(([id]) => id);
  for (const [stat, limit] of [['addedP50', GOALS.addedP50Ms], ['addedP99', GOALS.addedP99Ms]] as const) {
    const label = stat === 'addedP50' ? 'p50' : 'p99';
    if (!rest) {
      goals.push({ goal: `Added ${label} on authorized calls`, target: `≤ ${limit} ms`, measured: 'not run', met: 'n/a' });
      continue;
    }
    const parts: string[] = [];
    let met = true;
    for (const id of gatewayIds) {
      const cells = rest.cells.filter((c) => c.target === id && c.concurrency === 1 && c[stat] !== undefined);
      if (cells.length === 0) continue;
      const worst = cells.reduce((a, b) => ((b[stat] ?? -Infinity) > (a[stat] ?? -Infinity) ? b : a));
      const value = worst[stat]!;
      if (value > limit) met = false;
      parts.push(`${r.targets[id]?.label.replace('gateway · ', '')}: worst ${ms(value)} (${worst.endpoint})`);
    }
    goals.push({ goal: `Added ${label} on authorized calls (concurrency 1)`, target: `≤ ${limit} ms`, measured: parts.join('; ') || 'no data', met: parts.length ? met : 'n/a' });
  }

  if (rest && rest.cells.some((c) => c.target === 'oidc-auth')) {
    const ratios: string[] = [];
    let met = true;
    for (const endpoint of rest.endpoints) {
      const ours = rest.cells.find((c) => c.target === 'gw-jwt' && c.endpoint === endpoint && c.concurrency === 1)?.addedP50;
      const theirs = rest.cells.find((c) => c.target === 'oidc-auth' && c.endpoint === endpoint && c.concurrency === 1)?.addedP50;
      if (ours === undefined || theirs === undefined) continue;
      const ratio = ours <= 0 ? Infinity : theirs / ours;
      if (!(ratio >= GOALS.vsOidcAuth)) met = false;
      ratios.push(`${endpoint} ${Number.isFinite(ratio) ? `${ratio.toFixed(1)}×` : '∞ (ours within noise)'}`);
    }
    goals.push({ goal: 'Less added p50 than mlflow-oidc-auth (bearer JWT, concurrency 1)', target: `≥ ${GOALS.vsOidcAuth}×`, measured: ratios.join('; ') || 'no data', met: ratios.length ? met : 'n/a' });
  } else {
    goals.push({ goal: 'Less added p50 than mlflow-oidc-auth', target: `≥ ${GOALS.vsOidcAuth}×`, measured: r.peerProblem ? `not run: ${r.peerProblem}` : 'not run', met: 'n/a' });
  }

  const search = r.search;
  if (search) {
    const first = search.cells.find((c) => c.target === 'gw-filtered' && c.query === 'first-page');
    const full = search.cells.find((c) => c.target === 'gw-filtered' && c.query === 'full-scan');
    const ok = [first, full].every((c) => c?.ratio !== undefined && c.ratio <= GOALS.filteredSearchRatio);
    goals.push({
      goal: `Filtered search_experiments (${search.readable} readable of ${search.experiments}) vs the unfiltered call on MLflow`,
      target: `≤ ${GOALS.filteredSearchRatio}×`,
      measured: `first page ${first?.ratio?.toFixed(2) ?? '?'}×, full scan ${full?.ratio?.toFixed(2) ?? '?'}×`,
      met: first && full ? ok : 'n/a',
    });
  } else goals.push({ goal: 'Filtered search vs unfiltered', target: `≤ ${GOALS.filteredSearchRatio}×`, measured: 'not run', met: 'n/a' });

  const ch = r.children;
  goals.push(ch
    ? {
        goal: `runs/search first page, ${ch.granted} run grants in one experiment of ${ch.runs.toLocaleString('en')} runs the caller cannot read, vs the unfiltered call on MLflow`,
        target: `≤ ${GOALS.filteredSearchRatio}×`,
        measured: `${ch.ratio.toFixed(2)}× (${ch.gatewayMs.toFixed(1)} vs ${ch.directMs.toFixed(1)} ms; ${ch.gatewayFirstPage} runs returned)`,
        met: ch.ratio <= GOALS.filteredSearchRatio && ch.gatewayFirstPage === ch.granted,
      }
    : { goal: 'runs/search with run grants only vs unfiltered', target: `≤ ${GOALS.filteredSearchRatio}×`, measured: 'not run', met: 'n/a' });

  const ceiling = r.ceiling;
  const gatewayCells = ceiling?.cells.filter((c) => r.targets[`ceiling:${c.target}`]?.kind === 'gateway' && c.cpuUsPerRequest !== undefined) ?? [];
  if (gatewayCells.length) {
    const worst = gatewayCells.reduce((a, b) => ((b.cpuUsPerRequest ?? 0) > (a.cpuUsPerRequest ?? 0) ? b : a));
    const worstRatio = gatewayCells.reduce((a, b) => ((b.cpuVsBareProxy ?? 0) > (a.cpuVsBareProxy ?? 0) ? b : a));
    const loads = gatewayCells.flatMap((c) => c.loadAverage ?? []);
    const ok = (worst.cpuUsPerRequest ?? Infinity) <= GOALS.cpuUsPerRequest && worstRatio.cpuVsBareProxy !== undefined && worstRatio.cpuVsBareProxy <= GOALS.cpuVsBareProxy;
    goals.push({
      goal: 'Gateway CPU per authorized request (canned upstream) vs the bare proxy (same HTTP stack, no auth)',
      target: `≤ ${GOALS.cpuVsBareProxy}× and ≤ ${GOALS.cpuUsPerRequest} µs`,
      measured: `worst ${worstRatio.cpuVsBareProxy === undefined ? '? (no bare proxy)' : `${worstRatio.cpuVsBareProxy.toFixed(2)}×`} (${worstRatio.endpoint}, ${r.targets[`ceiling:${worstRatio.target}`]?.label.replace('gateway · ', '')}); `
        + `worst ${worst.cpuUsPerRequest!.toFixed(0)} µs (${worst.endpoint}, ${r.targets[`ceiling:${worst.target}`]?.label.replace('gateway · ', '')}); load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
      met: ok,
    });
  } else goals.push({ goal: 'Gateway CPU per authorized request vs the bare proxy', target: `≤ ${GOALS.cpuVsBareProxy}× and ≤ ${GOALS.cpuUsPerRequest} µs`, measured: 'not run', met: 'n/a' });

  const art = r.artifacts;
  if (art) {
    const up = art.cells.find((c) => c.target !== 'direct' && c.direction === 'upload');
    const down = art.cells.find((c) => c.target !== 'direct' && c.direction === 'download');
    const growth = Math.max(up?.gatewayPeakRss ?? 0, down?.gatewayPeakRss ?? 0) - art.gatewayRssBefore;
    const ok = (up?.ratioToDirect ?? 0) >= GOALS.artifactThroughput && (down?.ratioToDirect ?? 0) >= GOALS.artifactThroughput && growth < GOALS.artifactRssGrowthBytes;
    goals.push({
      goal: `Artifact streaming (${Math.round(art.bytes / 2 ** 20)} MiB) vs direct, with flat gateway memory`,
      target: `≥ ${GOALS.artifactThroughput * 100}% throughput, RSS growth < ${GOALS.artifactRssGrowthBytes / 2 ** 20} MiB`,
      measured: `upload ${pct(up?.ratioToDirect)}, download ${pct(down?.ratioToDirect)}, RSS growth ${(growth / 2 ** 20).toFixed(0)} MiB`,
      met: ok,
    });
  } else goals.push({ goal: 'Artifact streaming vs direct', target: `≥ ${GOALS.artifactThroughput * 100}%`, measured: 'not run', met: 'n/a' });
  return goals;
}

function pct(v: number | undefined): string {
  return v === undefined ? '?' : `${(v * 100).toFixed(0)}%`;
}
