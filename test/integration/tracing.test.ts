import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, unique } from '../support/mlflow-api.js';
import { startStack, type Stack } from '../support/stack.js';

// OpenTelemetry export: with OTEL_EXPORTER_OTLP_ENDPOINT set, each proxied request gets a gateway
// span, the child of the client's traceparent, sent over OTLP/HTTP. The receiver here is a tiny
// telemetry sink (it stands for a collector, not for MLflow or the IdP).

interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes: { key: string; value: Record<string, unknown> }[] }

describe('OpenTelemetry tracing', () => {
  let stack: Stack;
  let sink: Server;
  const received: { path: string; contentType: string; body: any }[] = [];

  beforeAll(async () => {
    sink = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        received.push({ path: req.url ?? '', contentType: String(req.headers['content-type']), body: JSON.parse(text) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    const endpoint = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
    stack = await startStack({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'gateway-under-test' } });
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise((r) => sink?.close(r));
  });

  const spans = (): OtlpSpan[] =>
    received.flatMap((r) => (r.body.resourceSpans ?? []).flatMap((rs: any) => (rs.scopeSpans ?? []).flatMap((ss: any) => ss.spans ?? [])));

  it('exports the gateway span as a child of the incoming traceparent', { timeout: 60_000 }, async () => {
    const alice = await callerFor(stack, 'alice');
    const exp = await alice.post('experiments/create', { name: unique('traced') });
    expect(exp.status).toBe(200);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    const res = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/experiments/get?experiment_id=${exp.json.experiment_id}`, {
      headers: { authorization: `Bearer ${alice.token}`, traceparent: `00-${traceId}-${parentId}-01`, tracestate: 'rojo=00f067aa0ba902b7' },
    });
    expect(res.status).toBe(200);

    const deadline = Date.now() + 30_000;
    let span: OtlpSpan | undefined;
    while (Date.now() < deadline && !(span = spans().find((s) => s.traceId === traceId))) await new Promise((r) => setTimeout(r, 250));
    expect(span, JSON.stringify(received).slice(0, 2000)).toBeDefined();
    expect(received[0]!.path).toBe('/v1/traces');
    expect(received[0]!.contentType).toMatch(/application\/json/);
    expect(span!.parentSpanId).toBe(parentId);
    expect(span!.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span!.name).toBe('GET GetExperiment');
    expect(span!.kind).toBe(2); // SERVER
    const attr = (k: string) => span!.attributes.find((a) => a.key === k)?.value;
    expect(attr('http.response.status_code')).toEqual({ intValue: 200 });
    expect(attr('gateway.decision')).toEqual({ stringValue: 'allow' });
    const resource = received.flatMap((r) => r.body.resourceSpans).find((rs: any) => rs.scopeSpans.some((ss: any) => ss.spans.includes(span)));
    expect(resource.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'gateway-under-test' } });
    // A filtered search (the gateway's own MLflow calls carry the trace context too) is traced alike.
    const searchTrace = 'a'.repeat(31) + 'b';
    const search = await fetch(`${stack.gatewayUrl}/api/2.0/mlflow/runs/search`, {
      method: 'POST', body: JSON.stringify({ experiment_ids: [String(exp.json.experiment_id)] }),
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json', traceparent: `00-${searchTrace}-${parentId}-01` },
    });
    expect(search.status).toBe(200);
    let searchSpan: OtlpSpan | undefined;
    while (Date.now() < deadline + 30_000 && !(searchSpan = spans().find((s) => s.traceId === searchTrace))) await new Promise((r) => setTimeout(r, 250));
    expect(searchSpan?.name).toBe('POST SearchRuns');
    // Nothing secret rides along: no token, no query string.
    const all = JSON.stringify(received);
    expect(all).not.toContain(alice.token.slice(0, 24));
    expect(all).not.toContain('experiment_id=');
  });
});
