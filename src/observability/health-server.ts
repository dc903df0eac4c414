import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withTimeout, type CheckResult, type HealthCheck } from './health-checks';
import type { MetricsRegistry } from './metrics';

export interface HealthServerOptions {
  /** Default 127.0.0.1: the endpoint is for the local supervisor and scraper. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Named readiness checks; `/ready` answers 200 only when every one is ok. */
  checks: Record<string, HealthCheck>;
  /** Named sections added to `/health`'s JSON (their `detail`), read like checks but never changing its status. Default none. */
  info?: Record<string, HealthCheck>;
  metrics: MetricsRegistry;
  /** How long one check may take before it counts as failed. Default 2000 ms. */
  checkTimeoutMs?: number;
}

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The endpoint of one long-running process: `/health` is liveness (200 while the process answers:
 * a supervisor restarts it only when it does not; with the `info` sections), `/ready` is readiness (200 or 503 with every
 * check's result: the dependencies are down, or the bot is off the gateway; restarting would not
 * help), `/metrics` is Prometheus text.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const bounded = (entries: Record<string, HealthCheck>) =>
    Object.entries(entries).map(([name, check]) => [name, withTimeout(check, options.checkTimeoutMs ?? 2000)] as const);
  const checks = bounded(options.checks);
  const info = bounded(options.info ?? {});
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET') {
      response.writeHead(405, { allow: 'GET' }).end();
    } else if (path === '/health') {
      void runChecks(info).then((report) => {
        const sections = Object.fromEntries(Object.entries(report.checks).map(([name, result]) => [name, result.detail]));
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ok: true, uptimeSeconds: Math.round(process.uptime()), ...sections }));
      });
    } else if (path === '/ready') {
      void runChecks(checks).then((report) => {
        response.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(report));
      });
    } else if (path === '/metrics') {
      options.metrics.text().then(
        (text) => response.writeHead(200, { 'content-type': options.metrics.contentType }).end(text),
        (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
      );
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function runChecks(
  checks: readonly (readonly [string, HealthCheck])[],
): Promise<{ ok: boolean; checks: Record<string, CheckResult> }> {
  const results = await Promise.all(checks.map(async ([name, check]) => [name, await check()] as const));
  return { ok: results.every(([, result]) => result.ok), checks: Object.fromEntries(results) };
}
