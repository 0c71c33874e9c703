// A trivial, fast stand-in for MLflow, used ONLY by the gateway-ceiling scenario: a node:http
// server that answers each known `METHOD /path` with canned bytes recorded from the real MLflow
// of the same run (so the JSON is exactly MLflow's), and 404 RESOURCE_DOES_NOT_EXIST otherwise.
// It runs in its own process; the parent passes the canned answers in a JSON file
// (BENCH_CANNED_FILE: { "GET /api/2.0/mlflow/experiments/get": "<body>", ... }) and reads the
// port from the IPC 'ready' message.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const canned = new Map<string, Buffer>(
  Object.entries(JSON.parse(readFileSync(process.env.BENCH_CANNED_FILE ?? '', 'utf8')) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v)]),
);
const notFound = Buffer.from(JSON.stringify({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'not canned' }));

const server = createServer((req, res) => {
  req.resume(); // bodies are read and dropped
  req.on('end', () => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const body = canned.get(`${req.method} ${q < 0 ? url : url.slice(0, q)}`);
    if (url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    } else if (body) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
    } else {
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': notFound.length }).end(notFound);
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ op: 'ready', port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => process.exit(0));
