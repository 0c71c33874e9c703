import type { Profile } from '../profile.js';
import type { GatewayProcess, StartupTimings } from '../lib/gateway-process.js';
import { log } from '../lib/log.js';
import { median } from '../lib/stats.js';

// Scenario 6: how long a fresh gateway process takes to listen (new SQLite store, migrations
// included) and how much memory it holds when idle. Each start is a new process.

export interface StartupSample extends StartupTimings {
  /** RSS right after it listened, and after 2 s idle (bytes). */
  rssReady: number;
  rssIdle: number;
}

export interface StartupResult {
  samples: StartupSample[];
  median: StartupSample;
}

export async function runStartup(start: (i: number) => Promise<GatewayProcess>, profile: Profile): Promise<StartupResult> {
  const samples: StartupSample[] = [];
  for (let i = 0; i < profile.startup.starts; i++) {
    log(`startup: start ${i + 1}/${profile.startup.starts}`);
    const gw = await start(i);
    try {
      const rssReady = gw.memory().rss;
      await new Promise((r) => setTimeout(r, 2000));
      samples.push({ ...gw.timings, rssReady, rssIdle: gw.memory().rss });
    } finally {
      await gw.stop();
    }
  }
  const m = (f: (s: StartupSample) => number) => median(samples.map(f));
  return {
    samples,
    median: {
      bootMs: m((s) => s.bootMs), importMs: m((s) => s.importMs), buildMs: m((s) => s.buildMs), listenMs: m((s) => s.listenMs),
      totalMs: m((s) => s.totalMs), spawnToReadyMs: m((s) => s.spawnToReadyMs), rssReady: m((s) => s.rssReady), rssIdle: m((s) => s.rssIdle),
    },
  };
}
