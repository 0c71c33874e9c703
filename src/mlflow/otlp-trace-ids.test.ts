import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { mlflowTraceId, otlpTraceIds } from './otlp-trace-ids.js';

const HEX = '0af7651916cd43dd8448eb211c80319c';
const TR = `tr-${HEX}`;

/** A minimal protobuf writer for the test vectors (field, LEN payload). */
function len(field: number, payload: Buffer): Buffer {
  const key = (field << 3) | 2;
  const varint = (n: number) => {
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return Buffer.from(out);
  };
  return Buffer.concat([varint(key), varint(payload.length), payload]);
}
function protoRequest(...traceIds: Buffer[]): Buffer {
  const spans = traceIds.map((id) => len(2, Buffer.concat([len(1, id), len(2, Buffer.alloc(8, 1)), len(5, Buffer.from('span'))])));
  return len(1, Buffer.concat([len(1, Buffer.alloc(0)), len(2, Buffer.concat(spans))]));
}
const json = (spans: unknown[], snake = false) =>
  Buffer.from(JSON.stringify(snake ? { resource_spans: [{ scope_spans: [{ spans }] }] } : { resourceSpans: [{ scopeSpans: [{ spans }] }] }));
const read = (body: Buffer, contentType = 'application/x-protobuf', contentEncoding?: string) =>
  otlpTraceIds({ body, contentType, contentEncoding, maxBytes: 1 << 20 });

describe('otlpTraceIds', () => {
  it('protobuf: every span trace id, as MLflow trace ids', () => {
    const other = Buffer.alloc(16, 0xab);
    expect(read(protoRequest(Buffer.from(HEX, 'hex'), other, Buffer.from(HEX, 'hex')))).toEqual({ ok: true, traceIds: [TR, `tr-${'ab'.repeat(16)}`] });
  });
  it('gzip and deflate (zlib and raw), content type parameters ignored', () => {
    const body = protoRequest(Buffer.from(HEX, 'hex'));
    for (const [enc, data] of [['gzip', gzipSync(body)], ['GZIP', gzipSync(body)], ['deflate', deflateSync(body)], ['deflate', deflateRawSync(body)]] as const) {
      expect(read(data, 'application/x-protobuf; charset=binary', enc)).toEqual({ ok: true, traceIds: [TR] });
    }
  });
  it('JSON: hex on the camelCase path, and the base64 reading of every value too', () => {
    const r = read(json([{ traceId: HEX, spanId: '00' }]), 'application/json');
    expect(r.ok === true ? r.traceIds : []).toContain(TR);
    const b64 = Buffer.from(HEX, 'hex').toString('base64');
    expect(read(json([{ trace_id: b64 }], true), 'application/json')).toEqual({ ok: true, traceIds: [TR] });
    expect(read(json([{ traceId: HEX.toUpperCase() }]), 'application/json; charset=utf-8').ok).toBe(true);
  });
  it('MLflow trace id: big-endian integer, at least 32 hex digits', () => {
    expect(mlflowTraceId(Buffer.from('00000000000000000000000000000001', 'hex'))).toBe(`tr-${'0'.repeat(31)}1`);
    expect(mlflowTraceId(Buffer.from('01', 'hex'))).toBe(`tr-${'0'.repeat(31)}1`);
  });
  it('types and encodings MLflow refuses are left to MLflow; unreadable bodies are refused', () => {
    expect(read(protoRequest(), 'text/plain').ok).toBe('mlflow-refuses');
    expect(read(protoRequest(), 'application/x-protobuf', 'br').ok).toBe('mlflow-refuses');
    expect(read(Buffer.from([0x0a, 0x05, 0x01]), 'application/x-protobuf').ok).toBe(false);
    expect(read(Buffer.from('garbage'), 'application/x-protobuf', 'gzip').ok).toBe(false);
    expect(read(Buffer.from('{"resourceSpans": 1}'), 'application/json').ok).toBe(false);
    expect(read(json([{ traceId: 'not hex!' }]), 'application/json').ok).toBe(false);
  });
  it('a decompression bomb is refused at maxBytes', () => {
    const bomb = gzipSync(Buffer.alloc(4 << 20));
    expect(otlpTraceIds({ body: bomb, contentType: 'application/x-protobuf', contentEncoding: 'gzip', maxBytes: 1 << 20 })).toMatchObject({ ok: false });
  });
});
