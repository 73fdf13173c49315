import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthChecks {
  /** Whether each dependency needed to serve is up; Slack is deliberately not one of them. */
  readiness(): Record<string, boolean>;
}

export interface HttpServerOptions {
  port: number;
  host?: string;
  checks: HealthChecks;
  /** Handles Slack's requests (`/slack/events`), when the Slack HTTP receiver is on. */
  slack?: RequestListener;
  /** Serves `/metrics` in the Prometheus text format. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
}

/**
 * Serves `/healthz` (the process is alive, whatever Redis and Slack are doing),
 * `/readyz` (Redis reachable and watches synced) and, when given, Slack's requests
 * and `/metrics`, on one port.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    route(options, req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(options: HttpServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  if (req.method === 'GET' && path === '/readyz') {
    const checks = options.checks.readiness();
    const ready = Object.values(checks).every(Boolean);
    res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
    res.end(`${JSON.stringify({ ready, checks })}\n`);
    return;
  }
  if (req.method === 'GET' && path === '/metrics' && options.metrics) {
    const { contentType, body } = await options.metrics();
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
    return;
  }
  if (options.slack && path?.startsWith('/slack/')) {
    options.slack(req, res);
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end(`no route for ${req.method ?? 'GET'} ${path ?? '/'}; try /healthz or /readyz\n`);
}
