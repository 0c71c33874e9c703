import type { LoadReport } from './engine.js';

// A hand-rolled SVG of a load run over time (no plotting dependency): top panel the latency p50
// and p99 of the requests completed in each second, bottom panel the gateway's RSS, and the
// 1-minute load average of the machine (dashed, right axis) in both: on a shared machine the
// latency is read next to it.

const W = 900;
const PANEL_H = 220;
const M = { left: 64, right: 64, top: 48, bottom: 34 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A round axis maximum and its tick step (1, 2 or 5 × 10^k). */
function niceMax(v: number): { max: number; step: number } {
  if (!(v > 0) || !Number.isFinite(v)) return { max: 1, step: 0.2 };
  const raw = v / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  return { max: Math.ceil(v / step) * step, step };
}

interface Series {
  label: string;
  color: string;
  values: readonly number[];
  dashed?: boolean;
  /** Right axis instead of the left one. */
  right?: boolean;
}

function panel(y0: number, title: string, unit: string, rightUnit: string, seconds: number, series: readonly Series[]): string {
  const x = (s: number) => M.left + (s / Math.max(1, seconds)) * (W - M.left - M.right);
  const plotH = PANEL_H - M.top - M.bottom;
  const left = niceMax(Math.max(0, ...series.filter((s) => !s.right).flatMap((s) => s.values.filter(Number.isFinite))));
  const right = niceMax(Math.max(0, ...series.filter((s) => s.right).flatMap((s) => s.values.filter(Number.isFinite))));
  const y = (v: number, axis: { max: number }) => y0 + M.top + plotH - (v / axis.max) * plotH;
  const out: string[] = [];
  out.push(`<text x="${M.left}" y="${y0 + 20}" font-size="14" font-weight="bold">${esc(title)}</text>`);
  out.push(`<rect x="${M.left}" y="${y0 + M.top}" width="${W - M.left - M.right}" height="${plotH}" fill="none" stroke="#999"/>`);
  for (let v = 0; v <= left.max + 1e-9; v += left.step) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(v, left)}" y2="${y(v, left)}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${y(v, left) + 4}" font-size="11" text-anchor="end">${+v.toFixed(3)}</text>`);
  }
  if (series.some((s) => s.right)) {
    for (let v = 0; v <= right.max + 1e-9; v += right.step) out.push(`<text x="${W - M.right + 6}" y="${y(v, right) + 4}" font-size="11">${+v.toFixed(3)}</text>`);
    out.push(`<text x="${W - 12}" y="${y0 + M.top + plotH / 2}" font-size="11" text-anchor="middle" transform="rotate(90 ${W - 12} ${y0 + M.top + plotH / 2})">${esc(rightUnit)}</text>`);
  }
  out.push(`<text x="14" y="${y0 + M.top + plotH / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${y0 + M.top + plotH / 2})">${esc(unit)}</text>`);
  const tick = niceMax(seconds).step;
  for (let s = 0; s <= seconds; s += tick) out.push(`<text x="${x(s)}" y="${y0 + PANEL_H - M.bottom + 16}" font-size="11" text-anchor="middle">${s}</text>`);
  out.push(`<text x="${(W - M.right + M.left) / 2}" y="${y0 + PANEL_H - 4}" font-size="11" text-anchor="middle">seconds into the run</text>`);
  series.forEach((s, i) => {
    const axis = s.right ? right : left;
    const pts = s.values.map((v, t) => (Number.isFinite(v) ? `${x(t).toFixed(1)},${y(v, axis).toFixed(1)}` : '')).filter(Boolean);
    if (pts.length) out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="5 3"' : ''} points="${pts.join(' ')}"/>`);
    // The legend: one line under the panel's title.
    const lx = M.left + i * 170;
    out.push(`<line x1="${lx}" x2="${lx + 22}" y1="${y0 + 34}" y2="${y0 + 34}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/><text x="${lx + 28}" y="${y0 + 38}" font-size="12">${esc(s.label)}</text>`);
  });
  return out.join('\n');
}

export function loadPlotSvg(r: LoadReport, title: string): string {
  const seconds = Math.max(r.timeline.length, r.rssMiB.length);
  const load = r.timeline.map((t) => t.load1);
  const body = [
    `<text x="${M.left}" y="20" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<g transform="translate(0 16)">${panel(0, 'Latency of the requests completed in each second', 'ms', 'load average', seconds, [
      { label: 'p50', color: '#1f77b4', values: r.timeline.map((t) => t.p50) },
      { label: 'p99', color: '#d62728', values: r.timeline.map((t) => t.p99) },
      { label: 'load average (1 min)', color: '#7f7f7f', values: load, dashed: true, right: true },
    ])}</g>`,
    `<g transform="translate(0 ${16 + PANEL_H})">${panel(0, 'Gateway RSS', 'MiB', 'load average', seconds, [
      { label: 'RSS', color: '#2ca02c', values: r.rssMiB },
      { label: 'load average (1 min)', color: '#7f7f7f', values: load, dashed: true, right: true },
    ])}</g>`,
  ];
  const h = 16 + 2 * PANEL_H;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="sans-serif">\n<rect width="${W}" height="${h}" fill="#fff"/>\n${body.join('\n')}\n</svg>\n`;
}
