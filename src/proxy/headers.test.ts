import { describe, expect, it } from 'vitest';
import { upstreamRequestHeaders, clientResponseHeaders } from './headers.js';

const ctx = {
  upstreamHost: '127.0.0.1:5000', clientIp: '203.0.113.7', proto: 'https' as const, requestId: 'req-1',
  identity: { username: 'alice', email: 'alice@example.com', groups: ['team-a'] }, gatewayCookies: ['mlflow_gateway_session', 'mlflow_gateway_session_login'],
};

describe('upstream request headers', () => {
  it('spoofed-identity-headers: drops client identity headers and their underscore look-alikes, then sets its own', () => {
    const out = upstreamRequestHeaders({
      'x-forwarded-user': 'admin', 'x_forwarded_user': 'admin', 'x-forwarded-groups': 'mlflow-admins', 'x-forwarded-email': 'root@x',
      'x-forwarded-for': '10.0.0.1', forwarded: 'for=1.2.3.4', 'x-real-ip': '1.2.3.4', 'x-remote-user': 'admin', 'remote-user': 'admin',
      'x-auth-request-user': 'admin', 'x-mlflow-gateway-user': 'admin', 'x_auth_request_email': 'a@b',
    }, ctx);
    expect(out['x-forwarded-user']).toBe('alice');
    expect(out['x-forwarded-groups']).toBe('team-a');
    expect(out['x-forwarded-email']).toBe('alice@example.com');
    expect(out['x-forwarded-for']).toBe('203.0.113.7');
    for (const k of Object.keys(out)) expect(k).not.toMatch(/_|^forwarded$|x-real-ip|remote-user|x-auth-request|x-mlflow-gateway/);
  });

  it('method-and-path-override: drops X-HTTP-Method-Override, X-Original-URL, X-Rewrite-URL, X-Forwarded-Uri', () => {
    const out = upstreamRequestHeaders({ 'x-http-method-override': 'DELETE', 'x-original-url': '/api/2.0/mlflow/experiments/delete', 'x-rewrite-url': '/x', 'x-forwarded-uri': '/y', 'x-method-override': 'PUT', 'x-http-method': 'PUT' }, ctx);
    expect(Object.keys(out).filter((k) => /override|original|rewrite|uri|x-http-method/.test(k))).toEqual([]);
  });

  it('credential-forwarding: never sends Authorization, X-MLflow-Authorization or gateway cookies upstream', () => {
    const out = upstreamRequestHeaders({
      authorization: 'Bearer secret', 'x-mlflow-authorization': 'Basic abc',
      cookie: 'mlflow_gateway_session=abc.def; theme=dark; mlflow_gateway_session_login=xyz',
    }, ctx);
    expect(out.authorization).toBeUndefined();
    expect(out['x-mlflow-authorization']).toBeUndefined();
    expect(out.cookie).toBe('theme=dark');
  });

  it('rewrites Host to the upstream and drops Origin (the gateway checked it) and hop-by-hop headers', () => {
    const out = upstreamRequestHeaders({ host: 'ml.example.com', origin: 'https://ml.example.com', connection: 'keep-alive, x-custom', 'x-custom': '1', 'keep-alive': 'timeout=5', te: 'trailers', upgrade: 'h2c', 'content-type': 'application/json' }, ctx);
    expect(out.host).toBe('127.0.0.1:5000');
    expect(out.origin).toBeUndefined();
    expect(out['x-custom']).toBeUndefined();
    expect(out['keep-alive']).toBeUndefined();
    expect(out.te).toBeUndefined();
    expect(out.upgrade).toBeUndefined();
    expect(out['content-type']).toBe('application/json');
  });

  it('encodes non-ASCII identity values instead of emitting invalid header bytes', () => {
    const out = upstreamRequestHeaders({}, { ...ctx, identity: { username: 'zoë', email: null, groups: ['équipe'] } });
    expect(out['x-forwarded-user']).toBe('zo%C3%AB');
    expect(out['x-forwarded-groups']).toBe('%C3%A9quipe');
  });

  it('strips hop-by-hop headers from responses', () => {
    const out = clientResponseHeaders({ connection: 'close, x-a', 'x-a': '1', 'content-type': 'text/html', 'transfer-encoding': 'chunked' });
    expect(out).toEqual({ 'content-type': 'text/html' });
  });
});

describe('trace context to MLflow', () => {
  const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('without tracing: a valid traceparent/tracestate is forwarded; malformed ones and underscore look-alikes are dropped', async () => {
    const { passThroughTracing } = await import('../tracing/tracing.js');
    const headers = { traceparent: incoming, tracestate: 'rojo=00f067aa0ba902b7' };
    const out = upstreamRequestHeaders(headers, { ...ctx, trace: passThroughTracing.start(headers, 'GET x', {}) });
    expect(out.traceparent).toBe(incoming);
    expect(out.tracestate).toBe('rojo=00f067aa0ba902b7');
    for (const bad of ['00-zz-00f067aa0ba902b7-01', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, `${incoming}\r\nx: y`]) {
      const h = { traceparent: bad, tracestate: 'rojo=1', trace_parent: incoming };
      const dropped = upstreamRequestHeaders(h, { ...ctx, trace: passThroughTracing.start(h, 'GET x', {}) });
      expect(dropped.traceparent, bad).toBeUndefined();
      expect(dropped.tracestate).toBeUndefined();
      expect(Object.keys(dropped).filter((k) => /trace/.test(k))).toEqual([]);
    }
    // A client's traceparent never passes unvalidated, even when the caller forgot the trace context.
    expect(upstreamRequestHeaders({ traceparent: 'garbage' }, ctx).traceparent).toBeUndefined();
  });

  it('with tracing: MLflow gets the gateway span as parent, in the same trace as the client', async () => {
    const { createOtelTracing } = await import('../tracing/otel.js');
    const tracing = createOtelTracing({ url: 'http://127.0.0.1:9/v1/traces', serviceName: 'test' });
    try {
      const headers = { traceparent: incoming, tracestate: 'rojo=00f067aa0ba902b7' };
      const trace = tracing.start(headers, 'GET GetExperiment', {});
      const out = upstreamRequestHeaders(headers, { ...ctx, trace });
      const [version, traceId, spanId, flags] = String(out.traceparent).split('-');
      expect(version).toBe('00');
      expect(traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(spanId).not.toBe('00f067aa0ba902b7');
      expect(flags).toBe('01');
      expect(out.tracestate).toBe('rojo=00f067aa0ba902b7');
      // No incoming context: a new trace starts at the gateway.
      const root = upstreamRequestHeaders({ traceparent: 'bad' }, { ...ctx, trace: tracing.start({ traceparent: 'bad' }, 'GET x', {}) });
      expect(root.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(String(root.traceparent)).not.toContain('4bf92f3577b34da6a3ce929d0e0e4736');
    } finally {
      await tracing.shutdown().catch(() => undefined);
    }
  });
});
