import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * A local HTTP server that answers with response fixtures written from a SaaS API's public
 * documentation (GitHub REST, Microsoft Graph), for APIs this machine cannot reach. The gateway's
 * production HTTP client talks to it through the configurable API base URL; nothing is stubbed
 * inside the gateway. `{{base}}` in a fixture becomes this server's URL.
 */
export interface FixtureRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface FixtureReply {
  readonly status?: number;
  /** A fixture file under test/fixtures/ (e.g. `github/user.json`), or a literal body. */
  readonly fixture?: string;
  readonly json?: unknown;
  readonly headers?: Record<string, string>;
  /** For redirects (the authorize endpoint). */
  readonly location?: string;
}

export interface FixtureServer {
  readonly url: string;
  readonly requests: FixtureRequest[];
  stop(): Promise<void>;
}

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export function readFixture(name: string, base = ''): string {
  return readFileSync(`${FIXTURES}${name}`, 'utf8').replaceAll('{{base}}', base);
}

export async function startFixtureServer(route: (req: FixtureRequest, base: string) => FixtureReply | undefined): Promise<FixtureServer> {
  const requests: FixtureRequest[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      const r: FixtureRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      let reply: FixtureReply | undefined;
      try {
        reply = route(r, base);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
        return;
      }
      if (!reply) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not Found' }));
        return;
      }
      const headers: Record<string, string> = { ...reply.headers };
      if (reply.location) headers.location = reply.location;
      let body = '';
      if (reply.fixture) body = readFixture(reply.fixture, base);
      else if (reply.json !== undefined) body = JSON.stringify(reply.json);
      if (body) headers['content-type'] ??= 'application/json; charset=utf-8';
      res.writeHead(reply.status ?? (reply.location ? 302 : 200), headers).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
