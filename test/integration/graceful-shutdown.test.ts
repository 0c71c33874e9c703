import { createHash } from 'node:crypto';
import { get } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway-process.js';
import { unique } from '../support/mlflow-api.js';

// SIGTERM while a large artifact upload streams through the gateway (a child process) to the real
// MLflow: readiness turns false, new connections are refused, and the upload either completes
// (200 and MLflow holds the same bytes) or, once the grace period is over, fails visibly to the
// client — never a 200 for a half-written file. Size: GW_SHUTDOWN_UPLOAD_MIB (default 1024 MiB, as the issue
// asks; ~25 s of upload on this 2-core machine; a smaller size may be set for quick local runs).
const UPLOAD_MIB = Number(process.env.GW_SHUTDOWN_UPLOAD_MIB ?? 1024);
const CHUNK = 1024 * 1024;

/** A patterned upload that stops after `pauseAt` MiB until `resume()` is called. */
function gatedUpload(totalMiB: number, pauseAt: number) {
  const hash = createHash('sha256');
  const base = Buffer.alloc(CHUNK);
  for (let i = 0; i < CHUNK; i++) base[i] = (i * 31 + 7) & 0xff;
  let sent = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let reachedGate!: () => void;
  const atGate = new Promise<void>((r) => (reachedGate = r));
  const stream = new Readable({
    read() {
      if (sent === pauseAt) {
        reachedGate();
        void gate.then(() => this.push(next()));
        return;
      }
      this.push(sent >= totalMiB ? null : next());
    },
  });
  function next(): Buffer | null {
    if (sent >= totalMiB) return null;
    const chunk = Buffer.from(base);
    chunk.writeUInt32BE(sent, 0);
    hash.update(chunk);
    sent++;
    return chunk;
  }
  return { stream, atGate, resume: release, digest: () => hash.digest('hex'), sentMiB: () => sent };
}

/** GET on a brand-new connection (no keep-alive pool): what a load balancer's probe does. */
function probe(url: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((done) => {
    const req = get(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString('utf8')));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      res.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ?? err.message }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ?? err.message }));
  });
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), done(false)));
    socket.on('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED'));
  });
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function sha256Of(url: string): Promise<{ size: number; sha256: string } | undefined> {
  const res = await request(url, { headersTimeout: 600_000, bodyTimeout: 600_000 });
  if (res.statusCode !== 200) return void (await res.body.dump());
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of res.body) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

describe('graceful shutdown of the gateway process', () => {
  let gw: GatewayProcess | undefined;
  afterEach(async () => gw?.stop());

  async function prepareUpload(g: GatewayProcess) {
    const { access_token } = await g.idp.getTokens('alice');
    const auth = { authorization: `Bearer ${access_token}` };
    const api = async (path: string, body: object) => {
      const r = await fetch(`${g.gatewayUrl}/api/2.0/mlflow/${path}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status).toBe(200);
      return r.json() as Promise<Record<string, any>>;
    };
    const exp = await api('experiments/create', { name: unique('shutdown') });
    const run = await api('runs/create', { experiment_id: exp.experiment_id });
    const path = `${exp.experiment_id}/${run.run.info.run_id}/artifacts/big.bin`;
    return { auth, path, gatewayArtifact: `${g.gatewayUrl}/api/2.0/mlflow-artifacts/artifacts/${path}`, mlflowArtifact: `${inject('mlflowUrl')}/api/2.0/mlflow-artifacts/artifacts/${path}` };
  }

  it(`an upload of ${UPLOAD_MIB} MiB in flight at SIGTERM completes; readiness 503 while draining, then new connections refused; exit 0`, { timeout: 900_000 }, async () => {
    gw = await startGatewayProcess({ GATEWAY_SHUTDOWN_DELAY: '8s', GATEWAY_SHUTDOWN_GRACE: '10m' });
    const port = Number(new URL(gw.gatewayUrl).port);
    const { auth, gatewayArtifact, mlflowArtifact } = await prepareUpload(gw);
    expect(await probe(`${gw.gatewayUrl}/_gateway/readyz`)).toMatchObject({ status: 200 });

    const upload = gatedUpload(UPLOAD_MIB, 32);
    const t0 = Date.now();
    const put = request(gatewayArtifact, {
      method: 'PUT', headers: { ...auth, 'content-type': 'application/octet-stream', 'content-length': String(UPLOAD_MIB * CHUNK) },
      body: upload.stream, headersTimeout: 900_000, bodyTimeout: 900_000,
    });
    await upload.atGate;
    gw.child.kill('SIGTERM');

    // During the shutdown delay the listener still answers, and readiness says not ready.
    const draining = await until('readyz 503', async () => {
      const r = await probe(`${gw!.gatewayUrl}/_gateway/readyz`);
      return 'status' in r && r.status === 503 ? r : undefined;
    });
    expect(JSON.parse(draining.body)).toMatchObject({ status: 'not-ready', draining: true });
    // Then new connections are refused, while the upload is still held mid-way.
    await until('connection refused', async () => ((await connectionRefused(port)) ? true : undefined));
    expect(upload.sentMiB()).toBe(32);
    expect(gw.child.exitCode).toBeNull();

    upload.resume();
    const res = await put;
    const text = await res.body.text();
    const seconds = (Date.now() - t0) / 1000;
    expect(res.statusCode, text).toBe(200);
    expect(await gw.exited).toBe(0);
    const stored = await sha256Of(mlflowArtifact);
    expect(stored).toEqual({ size: UPLOAD_MIB * CHUNK, sha256: upload.digest() });
    expect(gw.logs.some((l) => l.includes('"event":"shutdown.done"'))).toBe(true);
    console.info(`graceful shutdown: ${UPLOAD_MIB} MiB upload completed during drain in ${seconds.toFixed(1)} s; MLflow holds the same size and sha256`);
  });

  it('an upload still running when the grace period ends is cut: the client sees an error, never a 200', { timeout: 300_000 }, async () => {
    gw = await startGatewayProcess({ GATEWAY_SHUTDOWN_GRACE: '1s' });
    const { auth, gatewayArtifact, mlflowArtifact } = await prepareUpload(gw);
    const upload = gatedUpload(UPLOAD_MIB, 16);
    const put = request(gatewayArtifact, {
      method: 'PUT', headers: { ...auth, 'content-type': 'application/octet-stream', 'content-length': String(UPLOAD_MIB * CHUNK) },
      body: upload.stream, headersTimeout: 300_000, bodyTimeout: 300_000,
    }).then(
      async (r) => ({ status: r.statusCode, body: await r.body.text().catch((e: Error) => `body error: ${e.message}`) }),
      (e: Error & { code?: string }) => ({ error: e.code ?? e.message }),
    );
    await upload.atGate;
    gw.child.kill('SIGTERM');
    expect(await gw.exited).toBe(0);
    upload.resume();
    const outcome = await put;
    // The connection was cut mid-body: a socket error (or at worst a non-2xx), never success.
    if ('status' in outcome) expect(outcome.status).not.toBe(200);
    else expect(outcome.error).toMatch(/ECONNRESET|EPIPE|UND_ERR_SOCKET|other side closed/i);
    expect(gw.logs.some((l) => l.includes('"event":"shutdown.grace_expired"'))).toBe(true);
    // Whatever MLflow kept of the truncated body is not the uploaded file.
    const stored = await sha256Of(mlflowArtifact);
    if (stored) expect(stored.size).toBeLessThan(UPLOAD_MIB * CHUNK);
    console.info(`graceful shutdown, grace expired: client saw ${JSON.stringify(outcome)}; MLflow holds ${stored ? `${stored.size} bytes (partial)` : 'no file'}`);
  });
});
