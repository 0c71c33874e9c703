import { describe, expect, it } from 'vitest';
import type { LoadReport } from '../bench/load/engine.js';
import { loadPlotSvg } from '../bench/load/plot.js';
import { evaluateGoals } from '../bench/report/goals.js';
import type { CeilingCell } from '../bench/scenarios/ceiling.js';

// The bench's own arithmetic (no timing asserted): the bare-proxy CPU goal and the load-soak plot.

const cell = (target: string, cpuUsPerRequest: number, cpuVsBareProxy?: number): CeilingCell => ({
  endpoint: 'experiments/get', target, rounds: 1, rps: 1000, cpuUsPerRequest, ...(cpuVsBareProxy === undefined ? {} : { cpuVsBareProxy }),
  p50: 1, p99: 2, failures: 0, loadAverage: [0.5, 0.7],
});
const run = (cells: CeilingCell[]) => ({
  targets: { 'ceiling:gw-jwt': { label: 'gateway · bearer JWT', kind: 'gateway' }, 'ceiling:bare-proxy': { label: 'bare proxy', kind: 'bare-proxy' } },
  ceiling: { samples: [], cells, endpoints: ['experiments/get'], requests: 1, connections: 32 },
}) as never;
const cpuGoal = (cells: CeilingCell[]) => evaluateGoals(run(cells)).find((g) => g.goal.startsWith('Gateway CPU per authorized request'))!;

describe('bench report: gateway CPU per request vs the bare proxy', () => {
  it('is met within 1.5× of the bare proxy and at most 60 µs, and names the worst cell with the load average', () => {
    const goal = cpuGoal([cell('gw-jwt', 50, 1.25), cell('bare-proxy', 40)]);
    expect(goal.met).toBe(true);
    expect(goal.measured).toContain('1.25×');
    expect(goal.measured).toContain('load average 0.5–0.7');
  });
  it('is missed above 1.5× or above 60 µs, and without a bare-proxy figure', () => {
    expect(cpuGoal([cell('gw-jwt', 50, 1.6), cell('bare-proxy', 31)]).met).toBe(false);
    expect(cpuGoal([cell('gw-jwt', 70, 1.1), cell('bare-proxy', 64)]).met).toBe(false);
    expect(cpuGoal([cell('gw-jwt', 50)]).met).toBe(false);
  });
});

describe('bench report: load-soak plot', () => {
  it('draws p50, p99, RSS and the load average per second, with the title escaped', () => {
    const report = {
      rssMiB: [100, 101, 102],
      timeline: [0, 1, 2].map((second) => ({ second, requests: 10, p50: 5 + second, p99: 20 + second, errors: 0, load1: 1.5 })),
    } as unknown as LoadReport;
    const svg = loadPlotSvg(report, '50 clients <PostgreSQL> & more');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(5);
    expect(svg).toContain('&lt;PostgreSQL&gt; &amp; more');
    expect(svg).not.toContain('NaN');
  });
});
