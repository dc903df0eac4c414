import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type Express } from 'express';
import type { MetricsRegistry } from '../observability/metrics';
import type { BoardCredentials } from './access';
import { basicAuth } from './basic-auth';
import { loopbackHostOnly, sameOriginWrites } from './request-guards';

export interface BoardAppOptions {
  queues: readonly Queue[];
  /** No retry, promote, clean or remove actions. Default false. */
  readOnly?: boolean;
  /** Basic-auth credentials required on every page but `/health`, `/ready` and `/metrics`; none: open (loopback only, see `resolveBoardAccess`). */
  credentials?: BoardCredentials;
  /** The address the board listens on: an open board answers only requests addressed to it or to a loopback name. */
  host: string;
  /** What `/ready` checks (e.g. a Redis ping); it answers 503 when this rejects. Default: nothing. */
  readyCheck?: () => Promise<unknown>;
  /** Served on `/metrics` (Prometheus text). Default: no `/metrics`. */
  metrics?: MetricsRegistry;
}

/**
 * The bull-board app for the given queues, plus, without credentials like every process's endpoint
 * (they reveal no job content), `/health` (liveness), `/ready` (Redis ping) and `/metrics` for the
 * supervisor and the scraper. Not listening: the caller does (`board-cli.ts`, or a test on port 0).
 */
export function createBoardApp(options: BoardAppOptions): Express {
  const readOnly = options.readOnly ?? false;
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath('/');
  createBullBoard({
    queues: options.queues.map((queue) => new BullMQAdapter(queue, { readOnlyMode: readOnly, allowRetries: !readOnly })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Moddy queues' } },
  });

  const app = express();
  app.disable('x-powered-by');
  if (!options.credentials) app.use(loopbackHostOnly(options.host));
  app.use(sameOriginWrites());
  app.get('/health', (_request, response) => {
    response.json({ ok: true, uptimeSeconds: Math.round(process.uptime()) });
  });
  app.get('/ready', (_request, response) => {
    (options.readyCheck?.() ?? Promise.resolve()).then(
      () => response.json({ ok: true }),
      (error: unknown) => response.status(503).json({ ok: false, detail: String(error) }),
    );
  });
  const metrics = options.metrics;
  if (metrics) {
    app.get('/metrics', (_request, response) => {
      metrics.text().then(
        (text) => response.type(metrics.contentType).send(text),
        (error: unknown) => response.status(500).type('text/plain').send(String(error)),
      );
    });
  }
  if (options.credentials) app.use(basicAuth(options.credentials));
  app.use('/', serverAdapter.getRouter() as express.Router);
  return app;
}
