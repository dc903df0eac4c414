import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type Express } from 'express';
import type { BoardCredentials } from './access';
import { basicAuth } from './basic-auth';
import { loopbackHostOnly, sameOriginWrites } from './request-guards';

export interface BoardAppOptions {
  queues: readonly Queue[];
  /** No retry, promote, clean or remove actions. Default false. */
  readOnly?: boolean;
  /** Basic-auth credentials required on every page but `/health`; none: open (loopback only, see `resolveBoardAccess`). */
  credentials?: BoardCredentials;
  /** The address the board listens on: an open board answers only requests addressed to it or to a loopback name. */
  host: string;
  /** What `/health` checks (e.g. a Redis ping); it answers 503 when this rejects. Default: nothing. */
  healthCheck?: () => Promise<unknown>;
}

/**
 * The bull-board app for the given queues, plus an unauthenticated `/health` (Redis ping) for the
 * supervisor. Not listening: the caller does (`cli.ts`, or a test on port 0).
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
    (options.healthCheck?.() ?? Promise.resolve()).then(
      () => response.json({ ok: true }),
      (error: unknown) => response.status(503).json({ ok: false, detail: String(error) }),
    );
  });
  if (options.credentials) app.use(basicAuth(options.credentials));
  app.use('/', serverAdapter.getRouter() as express.Router);
  return app;
}
