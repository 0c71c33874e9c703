// The MLflow trace ids an OTLP/HTTP span export (`POST /v1/traces`) writes to (issue #13 §2).
// MLflow (server/otel_api.py export_traces) appends every span to the trace `tr-<hex>` of its
// OTLP trace id, keeping that trace's experiment when it already exists: each of those traces
// must be updatable by the caller. Pure: bytes in, ids out.
//
// Decoding follows MLflow 3.17.2 exactly where it matters and over-approximates elsewhere:
//   Content-Encoding  gzip | deflate (zlib or raw) | none; anything else MLflow refuses (400)
//   Content-Type      application/x-protobuf | application/json (parameters ignored); others: 400
//   protobuf          ExportTraceServiceRequest.resource_spans(1) → ResourceSpans.scope_spans(2)
//                     → ScopeSpans.spans(2) → Span.trace_id(1, bytes); every occurrence is taken
//   JSON              resourceSpans|resource_spans → scopeSpans|scope_spans → spans → traceId|trace_id;
//                     MLflow converts hex to base64 only on the camelCase path and protobuf reads
//                     the rest as base64, so both readings of every value are returned
//   trace id          'tr-' + the id bytes as a big-endian integer in (at least 32) lower-case hex
//                     (mlflow.tracing.utils.generate_mlflow_trace_id_from_otel_trace_id)
import { inflateRawSync, inflateSync, gunzipSync } from 'node:zlib';

export type OtlpTraceIds =
  | { readonly ok: true; readonly traceIds: readonly string[] }
  /** MLflow refuses the request without writing anything (unsupported type or encoding): let it answer. */
  | { readonly ok: 'mlflow-refuses'; readonly message: string }
  /** The gateway cannot read the body, so it cannot tell what would be written: refuse. */
  | { readonly ok: false; readonly message: string };

export interface OtlpInput {
  readonly body: Buffer;
  readonly contentType: string | undefined;
  readonly contentEncoding: string | undefined;
  /** Decompressed size limit (zip bombs). */
  readonly maxBytes: number;
}

export function otlpTraceIds(input: OtlpInput): OtlpTraceIds {
  const media = input.contentType?.split(';')[0]?.trim();
  if (media !== 'application/x-protobuf' && media !== 'application/json') {
    return { ok: 'mlflow-refuses', message: `MLflow refuses Content-Type ${input.contentType ?? '(none)'}` };
  }
  let body = input.body;
  const encoding = input.contentEncoding?.toLowerCase();
  try {
    if (encoding) {
      const opts = { maxOutputLength: input.maxBytes };
      if (encoding === 'gzip') body = gunzipSync(body, opts);
      else if (encoding === 'deflate') {
        try {
          body = inflateSync(body, opts);
        } catch (e) {
          if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw e;
          body = inflateRawSync(body, opts);
        }
      } else return { ok: 'mlflow-refuses', message: `MLflow refuses Content-Encoding ${input.contentEncoding}` };
    }
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return { ok: false, message: `the decompressed OTLP body exceeds ${input.maxBytes} bytes` };
    return { ok: false, message: `the OTLP body cannot be decompressed (${encoding})` };
  }
  try {
    const raw = media === 'application/json' ? fromJson(body) : fromProtobuf(body);
    return { ok: true, traceIds: [...new Set(raw.map(mlflowTraceId))] };
  } catch (e) {
    return { ok: false, message: `the OTLP body cannot be read: ${(e as Error).message}` };
  }
}

/** MLflow's trace id for OTLP trace id bytes. */
export function mlflowTraceId(bytes: Buffer): string {
  const hex = bytes.length === 0 ? '0' : BigInt(`0x${bytes.toString('hex')}`).toString(16);
  return `tr-${hex.padStart(32, '0')}`;
}

// --- protobuf --------------------------------------------------------------------------------

class Reader {
  pos = 0;
  readonly buf: Buffer;
  readonly end: number;
  constructor(buf: Buffer, end = buf.length) {
    this.buf = buf;
    this.end = end;
  }
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++] as number;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new Error('varint too long');
  }
  /** Each field of the message: number, wire type and (for LEN fields) the bounds of its payload. */
  *fields(): Generator<{ field: number; start: number; stop: number }> {
    while (this.pos < this.end) {
      const key = this.varint();
      const field = Number(key >> 3n);
      const wire = Number(key & 7n);
      if (field === 0) throw new Error('field number 0');
      switch (wire) {
        case 0:
          this.varint();
          break;
        case 1:
          this.skip(8);
          break;
        case 5:
          this.skip(4);
          break;
        case 2: {
          const len = Number(this.varint());
          const start = this.pos;
          this.skip(len);
          yield { field, start, stop: start + len };
          break;
        }
        default:
          throw new Error(`unsupported wire type ${wire}`);
      }
    }
  }
  skip(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new Error('truncated field');
    this.pos += n;
  }
}

function lenFields(buf: Buffer, start: number, stop: number, want: number): { start: number; stop: number }[] {
  const out: { start: number; stop: number }[] = [];
  const r = new Reader(buf, stop);
  r.pos = start;
  for (const f of r.fields()) if (f.field === want) out.push(f);
  return out;
}

function fromProtobuf(buf: Buffer): Buffer[] {
  const ids: Buffer[] = [];
  for (const rs of lenFields(buf, 0, buf.length, 1)) {
    for (const ss of lenFields(buf, rs.start, rs.stop, 2)) {
      for (const span of lenFields(buf, ss.start, ss.stop, 2)) {
        for (const id of lenFields(buf, span.start, span.stop, 1)) ids.push(buf.subarray(id.start, id.stop));
      }
    }
  }
  return ids;
}

// --- JSON ------------------------------------------------------------------------------------

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(node: Record<string, unknown>, names: readonly string[]): unknown[] {
  const out: unknown[] = [];
  for (const n of names) {
    const v = node[n];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) throw new Error(`${n} must be an array`);
    out.push(...v);
  }
  return out;
}

/** Python's bytes.fromhex (ASCII whitespace between bytes allowed); undefined when not hex. */
function fromHex(s: string): Buffer | undefined {
  const compact = s.replace(/[ \t\n\r\f\v]/g, '');
  return /^(?:[0-9a-fA-F]{2})*$/.test(compact) ? Buffer.from(compact, 'hex') : undefined;
}

/** protobuf JSON bytes: standard or URL-safe base64, padding optional. */
function fromBase64(s: string): Buffer | undefined {
  return /^[A-Za-z0-9+/_-]*={0,2}$/.test(s) ? Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64') : undefined;
}

function fromJson(body: Buffer): Buffer[] {
  const doc: unknown = JSON.parse(body.toString('utf8'));
  if (!isObject(doc)) throw new Error('the JSON body must be an object');
  const ids: Buffer[] = [];
  for (const rs of list(doc, ['resourceSpans', 'resource_spans'])) {
    if (!isObject(rs)) continue;
    for (const ss of list(rs, ['scopeSpans', 'scope_spans'])) {
      if (!isObject(ss)) continue;
      for (const span of list(ss, ['spans'])) {
        if (!isObject(span)) continue;
        for (const key of ['traceId', 'trace_id']) {
          const v = span[key];
          if (v === undefined || v === null) continue;
          if (typeof v !== 'string') throw new Error(`${key} must be a string`);
          const readings = [fromHex(v), fromBase64(v)].filter((b): b is Buffer => b !== undefined);
          if (readings.length === 0) throw new Error(`${key} is neither hex nor base64`);
          ids.push(...readings);
        }
      }
    }
  }
  return ids;
}
