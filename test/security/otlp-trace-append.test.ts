import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { inject, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';
import { callerFor, unique, type ApiCaller, type ApiResult } from '../support/mlflow-api.js';
import { mlflow } from '../support/filtered-fixtures.js';

// Issue #13 §2: OTLP span export was authorized on X-Mlflow-Experiment-Id alone, but MLflow
// appends spans to an EXISTING trace whatever experiment it is in (the trace keeps its
// experiment), and links the traces to the run in X-Mlflow-Run-Id without any check.
// bob may update experiment E (his); experiment H, its trace tH and its run rH are not his.

let stack: Stack;
let bob: ApiCaller;
let expE: string;
let rB: string;
let expH: string;
let rH: string;
const hiddenTraceHex = randomBytes(16).toString('hex');

/** A one-span OTLP request, JSON encoding (hex ids, as the OTLP spec writes them). */
function otlpJson(traceHex: string, name = 'span'): string {
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [] },
      scopeSpans: [{
        scope: { name: 'test' },
        spans: [{ traceId: traceHex, spanId: randomBytes(8).toString('hex'), name, kind: 1, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000', status: {} }],
      }],
    }],
  });
}

/** The same request, protobuf encoding (hand-written: trace_id 1, span_id 2, name 5, start 7, end 8). */
function otlpProto(traceHex: string): Buffer {
  const varint = (n: number) => {
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return Buffer.from(out);
  };
  const len = (field: number, payload: Buffer) => Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
  const fixed64 = (field: number, v: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    return Buffer.concat([varint((field << 3) | 1), b]);
  };
  const span = Buffer.concat([
    len(1, Buffer.from(traceHex, 'hex')), len(2, randomBytes(8)), len(5, Buffer.from('span')),
    fixed64(7, 1700000000000000000n), fixed64(8, 1700000001000000000n),
  ]);
  return len(1, Buffer.concat([len(1, Buffer.alloc(0)), len(2, Buffer.concat([len(1, Buffer.alloc(0)), len(2, span)]))]));
}

const exportSpans = (body: string | Buffer, headers: Record<string, string>) => bob.raw('POST', '/v1/traces', { body, headers });
const json = (experiment: string, extra: Record<string, string> = {}) => ({ 'content-type': 'application/json', 'x-mlflow-experiment-id': experiment, ...extra });
const proto = (experiment: string, extra: Record<string, string> = {}) => ({ 'content-type': 'application/x-protobuf', 'x-mlflow-experiment-id': experiment, ...extra });

function denied(r: ApiResult): void {
  expect(r.status, JSON.stringify(r.json)).toBe(403);
  expect(r.json.gateway_code).toBe('GW_DENIED');
}

async function spanNamesOf(traceHex: string): Promise<string[]> {
  const res = await fetch(`${inject('mlflowUrl')}/api/3.0/mlflow/traces/get?trace_id=tr-${traceHex}`);
  const body = (await res.json()) as { trace?: { spans?: { name: string }[] } };
  return (body.trace?.spans ?? []).map((s) => s.name);
}

beforeAll(async () => {
  stack = await startStack();
  bob = await callerFor(stack, 'bob');
  expE = (await bob.post('experiments/create', { name: unique('otlp-bob') })).json.experiment_id as string;
  rB = (await bob.post('runs/create', { experiment_id: expE })).json.run.info.run_id as string;
  expH = (await mlflow<{ experiment_id: string }>('POST', '/api/2.0/mlflow/experiments/create', { name: unique('otlp-hidden') })).experiment_id;
  rH = (await mlflow<{ run: { info: { run_id: string } } }>('POST', '/api/2.0/mlflow/runs/create', { experiment_id: expH })).run.info.run_id;
  // The victim's trace, exported straight to MLflow.
  const res = await fetch(`${inject('mlflowUrl')}/v1/traces`, { method: 'POST', headers: json(expH), body: otlpJson(hiddenTraceHex, 'victim-root') });
  expect(res.status, await res.text()).toBe(200);
});
afterAll(async () => stack?.stop());

describe('OTLP: spans for an existing trace of another experiment are refused', () => {
  it('JSON', async () => denied(await exportSpans(otlpJson(hiddenTraceHex, 'injected'), json(expE))));
  it('JSON with upper-case hex', async () => denied(await exportSpans(otlpJson(hiddenTraceHex.toUpperCase(), 'injected'), json(expE))));
  it('JSON, snake_case fields with a base64 id', async () => {
    const body = JSON.stringify({ resource_spans: [{ scope_spans: [{ spans: [{ trace_id: Buffer.from(hiddenTraceHex, 'hex').toString('base64'), span_id: randomBytes(8).toString('base64'), name: 'injected', start_time_unix_nano: '1700000000000000000', end_time_unix_nano: '1700000001000000000' }] }] }] });
    denied(await exportSpans(body, json(expE)));
  });
  it('protobuf', async () => denied(await exportSpans(otlpProto(hiddenTraceHex), proto(expE))));
  it('protobuf, gzip', async () => denied(await exportSpans(gzipSync(otlpProto(hiddenTraceHex)), proto(expE, { 'content-encoding': 'gzip' }))));
  it('JSON, gzip', async () => denied(await exportSpans(gzipSync(otlpJson(hiddenTraceHex)), json(expE, { 'content-encoding': 'gzip' }))));
  it('one foreign trace among new ones refuses the whole batch', async () => {
    const doc = JSON.parse(otlpJson(randomBytes(16).toString('hex'))) as any;
    doc.resourceSpans.push(JSON.parse(otlpJson(hiddenTraceHex)).resourceSpans[0]);
    denied(await exportSpans(JSON.stringify(doc), json(expE)));
  });
  it('the victim trace has no injected span', async () => {
    expect(await spanNamesOf(hiddenTraceHex)).toEqual(['victim-root']);
  });
  it('a body the gateway cannot read is refused rather than passed on', async () => {
    const r = await exportSpans(Buffer.from([0x0a, 0x05, 0x01]), proto(expE));
    expect(r.status).toBe(400);
    expect(r.json.gateway_code).toBe('GW_BAD_BODY');
  });
});

describe('OTLP: X-Mlflow-Run-Id needs update on that run', () => {
  it('another experiment\'s run is refused', async () => {
    denied(await exportSpans(otlpJson(randomBytes(16).toString('hex')), json(expE, { 'x-mlflow-run-id': rH })));
  });
  it('one\'s own run, and new traces in one\'s own experiment, are accepted', async () => {
    const fresh = randomBytes(16).toString('hex');
    const ok = await exportSpans(otlpJson(fresh, 'mine'), json(expE, { 'x-mlflow-run-id': rB }));
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(await spanNamesOf(fresh)).toEqual(['mine']);
    const again = await exportSpans(gzipSync(otlpProto(fresh)), proto(expE, { 'content-encoding': 'gzip' }));
    expect(again.status, JSON.stringify(again.json)).toBe(200);
  });
  it('content types MLflow refuses get MLflow\'s answer', async () => {
    const r = await exportSpans('x', { 'content-type': 'text/plain', 'x-mlflow-experiment-id': expE });
    expect(r.status).toBe(400);
    expect(r.json.gateway_code).toBeUndefined();
  });
});

describe('REST trace creation: a trace linked to a run by its metadata needs update on that run', () => {
  const v3 = (experiment_id: string, run: string) => ({
    trace: { trace_info: { trace_id: `tr-${randomBytes(16).toString('hex')}`, trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id } }, request_time: '2024-01-01T00:00:00Z', state: 'OK', trace_metadata: { 'mlflow.sourceRun': run } } },
  });
  const post = (path: string, body: unknown) => bob.raw('POST', path, { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  it('StartTraceV3 with trace_metadata mlflow.sourceRun of a foreign run is refused; one\'s own is accepted', async () => {
    denied(await post('/api/3.0/mlflow/traces', v3(expE, rH)));
    const ok = await post('/api/3.0/mlflow/traces', v3(expE, rB));
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
  });
  it('v2 StartTrace with a request_metadata entry mlflow.sourceRun of a foreign run is refused', async () => {
    denied(await post('/api/2.0/mlflow/traces', { experiment_id: expE, timestamp_ms: 1, request_metadata: [{ key: 'mlflow.sourceRun', value: rH }] }));
  });
});
