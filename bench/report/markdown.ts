import type { Results } from './types.js';

// Renders a run as Markdown: bench/results/latest.md, and the table README's Performance section quotes.

const f = (v: number | undefined, digits = 2) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const signed = (v: number | undefined, digits = 2) => (v === undefined || !Number.isFinite(v) ? '–' : `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`);
const mib = (bytes: number | undefined) => (bytes === undefined ? '–' : `${(bytes / 2 ** 20).toFixed(0)} MiB`);
const met = (m: boolean | 'n/a') => (m === 'n/a' ? 'n/a' : m ? '**met**' : '**missed**');

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function machineLine(r: Results): string {
  const m = r.machine;
  const peers = m.peers ? `, mlflow-oidc-auth ${m.peers.mlflowOidcAuth} (Python ${m.peers.python})` : '';
  return `${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, MLflow ${m.mlflow} (Python ${m.mlflowPython})${peers}`;
}

export function goalsTable(r: Results): string {
  return table(['Goal', 'Target', 'Measured', 'Result'], r.goals.map((g) => [g.goal, g.target, g.measured, met(g.met)]));
}

/** The headline table: added p50 / p99 per endpoint and credential, both concurrencies. */
export function addedLatencyTable(r: Results): string {
  const rest = r.rest;
  if (!rest) return '_not run_';
  const ids = Object.keys(r.targets).filter((id) => !id.includes(':') && r.targets[id]?.baseline && rest.cells.some((c) => c.target === id));
  const missing = r.missing.filter((m) => m.kind !== 'direct');
  const head = ['Endpoint', 'c', 'MLflow direct p50 / p99', ...ids.map((id) => r.targets[id]!.label), ...missing.map((m) => m.label)];
  const rows: string[][] = [];
  for (const c of [...new Set(rest.cells.map((x) => x.concurrency))].sort((a, b) => a - b)) {
    for (const e of rest.endpoints) {
      const direct = rest.cells.find((x) => x.target === 'direct' && x.endpoint === e && x.concurrency === c);
      rows.push([
        e, String(c), direct ? `${f(direct.p50)} / ${f(direct.p99)}` : '–',
        ...ids.map((id) => {
          const cell = rest.cells.find((x) => x.target === id && x.endpoint === e && x.concurrency === c);
          return cell ? `${signed(cell.addedP50)} / ${signed(cell.addedP99)}` : 'refused';
        }),
        ...missing.map(() => 'n/a'),
      ]);
    }
  }
  return table(head, rows);
}

export function renderMarkdown(r: Results): string {
  const out: string[] = [];
  const rounds = r.rest?.samples.length ? Math.max(...r.rest.samples.map((s) => s.round)) + 1 : undefined;
  out.push(`# Benchmark results (${r.profile})`, '');
  out.push(`- Run: ${r.startedAt.replace('T', ' ').slice(0, 16)} UTC, ${Math.round(r.durationSeconds / 60)} min, commit \`${r.machine.commit}\`, scenarios: ${r.scenarios.join(', ')}`);
  out.push(`- Machine: ${machineLine(r)}`);
  out.push(`- Load average (1/5/15 min) at start ${r.machine.loadAverage.start.join(' / ')}, at end ${r.machine.loadAverage.end.join(' / ')} — the machine is shared; every comparison is side by side in the same run, figures are medians over rounds.`);
  out.push(`- Command: \`npm run bench${r.profile === 'quick' ? ' -- --quick' : ''}\` (method and caveats: bench/README.md)`, '');

  out.push('## Goals', '', goalsTable(r), '');

  if (r.rest) {
    out.push(`## 1 + 5. Added latency on authorized REST calls`, '');
    out.push(`Each cell: added p50 / added p99 in ms = (target − its direct MLflow) in the same round, median over ${rounds ?? '?'} rounds. `
      + `Gateway rows are compared with MLflow direct; the peers with a plain MLflow of their own venv (same MLflow version, same backend store). `
      + `wrk, one thread, ${Object.entries(r.rest.requests).map(([c, n]) => `${n} requests at concurrency ${c}`).join(', ')} per cell (fewer if a cell hit its time bound), after a warm-up. `
      + `The caller is a non-administrator with EDIT on the experiment and READ on the model.`, '');
    out.push(addedLatencyTable(r), '');
    if (r.basicAuthCredentialCheck) {
      const b = r.basicAuthCredentialCheck;
      out.push(`MLflow basic-auth runs with its credential cache on (\`auth_cache_ttl_seconds\`; off by default). With it off, every call pays the password check: a call took ${f(b.uncachedMs)} ms uncached vs ${f(b.cachedMs)} ms cached here (median of 5 users' first and second calls).`, '');
    }
    if (r.missing.length > 0) {
      out.push('Not measured:', '');
      for (const m of r.missing) out.push(`- ${m.label}: ${m.reason}`);
      out.push('');
    }
    out.push('<details><summary>Absolute figures (ms, requests/s)</summary>', '');
    out.push(table(['Endpoint', 'c', 'Target', 'p50', 'p99', 'req/s', 'requests', 'errors', 'load average'], r.rest.cells
      .slice().sort((a, b) => a.concurrency - b.concurrency || r.rest!.endpoints.indexOf(a.endpoint) - r.rest!.endpoints.indexOf(b.endpoint))
      .map((c) => [c.endpoint, String(c.concurrency), r.targets[c.target]?.label ?? c.target, f(c.p50), f(c.p99), f(c.rps, 0), f(c.requests, 0), String(c.failures), c.loadAverage ? `${f(c.loadAverage[0], 1)}–${f(c.loadAverage[1], 1)}` : '–'])), '');
    out.push('</details>', '');
    for (const x of r.rest.refused) out.push(`- ${r.targets[x.target]?.label ?? x.target} refused ${x.endpoint} (${x.status}): \`${x.body.slice(0, 160).replace(/\s+/g, ' ')}\``);
    if (r.rest.refused.length) out.push('');
  }
  if (r.client) {
    out.push('## 1b. What a Python script sees (http.client, interleaved)', '');
    out.push('One keep-alive connection per target, one request at a time, targets alternating request by request (the independent check\'s method; bench/README.md explains why it differs from wrk\'s figures). Latency in ms.', '');
    out.push(table(['Endpoint', 'Target', 'requests', 'p50', 'p99', 'added p50', 'added p99', 'framing', 'non-2xx'], r.client.map((c) => [
      c.endpoint, c.target, String(c.requests), f(c.p50), f(c.p99), signed(c.addedP50), signed(c.addedP99), c.framing, String(c.non2xx),
    ])), '');
  }

  if (r.ceiling) {
    const c = r.ceiling;
    const ids = [...new Set(c.cells.map((x) => x.target))];
    out.push('## 2. Gateway ceiling (fast local upstream)', '');
    out.push(`MLflow replaced by a canned-JSON node:http server (its answers recorded from the real MLflow). wrk, ${c.connections} connections, ${c.requests} requests per cell. `
      + '"per core" = requests ÷ CPU-seconds of the target\'s process (user + system, from /proc) during the cell: what one core of its CPU sustains. '
      + 'The bare proxy is the same HTTP stack (fastify + @fastify/reply-from/undici, the gateway\'s upstream settings) forwarding with no authentication or authorization; '
      + '"× bare" = the gateway\'s CPU per request ÷ the bare proxy\'s on the same endpoint. Load = 1-minute load average at the start of the row\'s cells (lowest–highest).', '');
    const cols = (id: string, kind: string | undefined) => (id === 'direct' ? ['upstream direct req/s'] : [`${r.targets[`ceiling:${id}`]?.label ?? id} req/s`, 'req/s per core', 'CPU µs/req', ...(kind === 'gateway' ? ['× bare'] : []), 'p50 ms']);
    out.push(table(['Endpoint', ...ids.flatMap((id) => cols(id, r.targets[`ceiling:${id}`]?.kind)), 'load'],
      c.endpoints.map((e) => {
        const row = c.cells.filter((x) => x.endpoint === e);
        const loads = row.flatMap((x) => x.loadAverage ?? []);
        return [e, ...ids.flatMap((id) => {
          const cell = row.find((x) => x.target === id);
          if (id === 'direct') return [f(cell?.rps, 0)];
          return [f(cell?.rps, 0), f(cell?.rpsPerCore, 0), f(cell?.cpuUsPerRequest, 0), ...(r.targets[`ceiling:${id}`]?.kind === 'gateway' ? [cell?.cpuVsBareProxy === undefined ? '–' : `${f(cell.cpuVsBareProxy)}×`] : []), f(cell?.p50)];
        }), loads.length ? `${f(Math.min(...loads))}–${f(Math.max(...loads))}` : '–'];
      })), '');
    const failed = c.cells.filter((x) => x.failures > 0);
    if (failed.length) out.push(`Failed requests (non-2xx or socket errors): ${failed.map((x) => `${x.endpoint} via ${r.targets[`ceiling:${x.target}`]?.label ?? x.target}: ${x.failures}`).join('; ')}.`, '');
  }

  if (r.search) {
    const s = r.search;
    out.push(`## 3 + 5. search_experiments over ${s.experiments.toLocaleString('en')} experiments, caller may read ${s.readable}`, '');
    out.push(`First page: POST experiments/search {max_results: 100}. Full scan: pages of 1000 until no next_page_token. Medians over iterations (targets alternate); ratio = target ÷ its unfiltered direct MLflow. `
      + `Seeded with ${r.seeding.method} in ${r.seeding.seconds.toFixed(1)} s.`, '');
    const targetIds = [...new Set(s.cells.map((c) => c.target))];
    out.push(table(['Target', 'first page ms', 'returned', 'ratio', 'full scan ms', 'pages', 'returned', 'ratio', 'iterations'], targetIds.map((id) => {
      const a = s.cells.find((c) => c.target === id && c.query === 'first-page');
      const b = s.cells.find((c) => c.target === id && c.query === 'full-scan');
      return [r.targets[`search:${id}`]?.label ?? id, f(a?.medianMs, 1), String(a?.returned ?? '–'), a?.ratio ? `${f(a.ratio)}×` : '–', f(b?.medianMs, 1), String(b?.pages ?? '–'), String(b?.returned ?? '–'), b?.ratio ? `${f(b.ratio)}×` : '–', `${a?.iterations ?? 0} / ${b?.iterations ?? 0}`];
    })), '');
    for (const p of s.problems) out.push(`- problem: ${p}`);
    if (s.problems.length) out.push('');
  }

  if (r.children) {
    const c = r.children;
    out.push(`## 3b. runs/search with child grants only (${c.granted} run grants in ${c.runs.toLocaleString('en')} runs)`, '');
    out.push('First page of POST runs/search {experiment_ids: [the experiment], max_results: 100}: straight to MLflow (unfiltered, 100 runs) and through the gateway for a caller who may read only the granted runs '
      + `(the gateway asks MLflow for exactly those: \`attributes.run_id IN (…)\`). Medians over ${c.rounds} alternating rounds.`, '');
    out.push(table(['Target', 'median ms', 'runs returned'], [['MLflow (direct), unfiltered', f(c.directMs, 1), '100'], ['gateway · bearer JWT, run grants only', f(c.gatewayMs, 1), String(c.gatewayFirstPage)]]), '');
    out.push(`Ratio gateway ÷ direct: ${f(c.ratio)}×.`, '');
  }
  if (r.artifacts) {
    const a = r.artifacts;
    out.push(`## 4. Artifact streaming (${mib(a.bytes)} through MLflow's artifact proxy)`, '');
    out.push(table(['Direction', 'direct MiB/s', 'gateway MiB/s', 'gateway ÷ direct', 'gateway peak RSS during transfer'], (['upload', 'download'] as const).map((d) => {
      const direct = a.cells.find((c) => c.direction === d && c.target === 'direct');
      const via = a.cells.find((c) => c.direction === d && c.target !== 'direct');
      return [d, f(direct?.mibPerSecond, 0), f(via?.mibPerSecond, 0), via?.ratioToDirect !== undefined ? `${(via.ratioToDirect * 100).toFixed(0)}%` : '–', mib(via?.gatewayPeakRss)];
    })), '');
    out.push(`Gateway RSS (own process): ${mib(a.gatewayRssBefore)} before, ${mib(a.gatewayRssAfter)} after; VmHWM (peak since start) ${mib(a.gatewayHighWaterMark)}. Medians over ${Math.max(...a.samples.map((x) => x.round)) + 1} round(s).`, '');
  }

  if (r.startup) {
    const m = r.startup.median;
    out.push('## 6. Start-up and idle memory', '');
    out.push(table(['spawn → listening', 'node + tsx boot', 'imports', 'config + buildServer', 'listen', 'RSS when ready', 'RSS idle (2 s)'],
      [[`${f(m.spawnToReadyMs, 0)} ms`, `${f(m.bootMs, 0)} ms`, `${f(m.importMs, 0)} ms`, `${f(m.buildMs, 0)} ms`, `${f(m.listenMs, 0)} ms`, mib(m.rssReady), mib(m.rssIdle)]]), '');
    out.push(`Median of ${r.startup.samples.length} fresh processes (new SQLite store each, migrations included), the gateway's modules from the compiled \`dist/\`, loaded by a small TypeScript child run with \`node --import tsx\` (tsx's own start-up is in the boot column; \`npm run bench:footprint\` measures the plain \`bin/mlflow-oidc-gateway.js serve\`).`
      + (r.startup.mainGatewayAtEnd ? ` The gateway that served scenarios 1 and 3 held ${mib(r.startup.mainGatewayAtEnd.rss)} at the end (peak ${mib(r.startup.mainGatewayAtEnd.peak)}).` : ''), '');
  }

  for (const [p, c] of [[r.cpuProfileC1, 1], [r.cpuProfile, 32]] as const) {
    if (!p) continue;
    out.push(`## Hot spots at ${c} connection${c === 1 ? '' : 's'} (node --cpu-prof on the gateway process)`, '');
    out.push(`Workload: ${p.workload}. Busy ${f(p.busyMs, 0)} ms (GC ${f(p.gcMs, 0)} ms), idle ${f(p.idleMs, 0)} ms. Self time:`, '');
    out.push(table(['Function', 'Where', 'self ms', 'share'], p.functions.slice(0, 12).map((h) => [`\`${h.name}\``, h.where, f(h.selfMs, 0), `${(h.share * 100).toFixed(1)}%`])), '');
    out.push(table(['Module', 'self ms', 'share'], p.modules.slice(0, 10).map((h) => [h.name, f(h.selfMs, 0), `${(h.share * 100).toFixed(1)}%`])), '');
  }

  if (r.peerProblem) out.push('## Peers', '', `The peers were not measured: ${r.peerProblem}`, '');
  return out.join('\n');
}
