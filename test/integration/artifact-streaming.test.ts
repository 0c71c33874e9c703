import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

// 1 GiB through the artifact proxy in both directions; the gateway must stream, not buffer.
const SIZE = 1024 * 1024 * 1024;
const CHUNK = 1024 * 1024;

function patternedStream(total: number, hash: ReturnType<typeof createHash>): Readable {
  let sent = 0;
  const base = Buffer.alloc(CHUNK);
  for (let i = 0; i < CHUNK; i++) base[i] = (i * 31 + 7) & 0xff;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const chunk = Buffer.from(base);
      chunk.writeUInt32BE(sent / CHUNK, 0); // every MiB differs
      hash.update(chunk);
      sent += CHUNK;
      this.push(chunk);
    },
  });
}

describe('artifact streaming through the gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => stack?.stop());

  it('uploads and downloads 1 GiB with the bytes intact and flat gateway memory', { timeout: 600_000 }, async () => {
    const { access_token } = await stack.idp.getTokens('alice');
    const auth = { authorization: `Bearer ${access_token}` };
    const api = async (path: string, body: object) => {
      const r = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/${path}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status, await r.clone().text()).toBe(200);
      return r.json() as Promise<Record<string, any>>;
    };
    const exp = await api('experiments/create', { name: `big-artifact-${Date.now()}` });
    const run = await api('runs/create', { experiment_id: exp.experiment_id });
    const path = `${exp.experiment_id}/${run.run.info.run_id}/artifacts/big.bin`;
    const url = `${stack.gatewayUrl}/api/2.0/mlflow-artifacts/artifacts/${path}`;

    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
    try {
      const upHash = createHash('sha256');
      const t0 = Date.now();
      const up = await request(url, { method: 'PUT', headers: { ...auth, 'content-type': 'application/octet-stream', 'content-length': String(SIZE) }, body: patternedStream(SIZE, upHash), headersTimeout: 600_000, bodyTimeout: 600_000 });
      const upBody = await up.body.text();
      expect(up.statusCode, upBody).toBe(200);
      const t1 = Date.now();
      const down = await request(url, { headers: auth, headersTimeout: 600_000, bodyTimeout: 600_000 });
      expect(down.statusCode).toBe(200);
      const downHash = createHash('sha256');
      let received = 0;
      for await (const chunk of down.body) {
        downHash.update(chunk as Buffer);
        received += (chunk as Buffer).length;
      }
      const t2 = Date.now();
      expect(received).toBe(SIZE);
      expect(downHash.digest('hex')).toBe(upHash.digest('hex'));
      const mib = (n: number) => Math.round(n / 1024 / 1024);
      console.info(`1 GiB upload ${Math.round(1024 / ((t1 - t0) / 1000))} MiB/s, download ${Math.round(1024 / ((t2 - t1) / 1000))} MiB/s; test+gateway process RSS baseline ${mib(baseline)} MiB, peak ${mib(peak)} MiB (+${mib(peak - baseline)} MiB)`);
      // Memory bound, not a timing: buffering 1 GiB anywhere in this process would blow far past it.
      expect(peak - baseline).toBeLessThan(256 * 1024 * 1024);
    } finally {
      clearInterval(sampler);
    }
  });
});
