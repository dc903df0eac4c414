import type { Server } from 'node:http';
import { configuredLogging, getConfig } from '../config';
import { runEntryPoint, signalReady } from '../core/entry-point';
import type { Logger } from '../core/logger';
import { queuePrefix } from '../queues/queue-prefix';
import { redisTargetFromConfig } from '../redis';
import { createProducerConnection } from '../queues/connection';
import { jobCounts } from '../queues/job-counts';
import { createQueues } from '../queues/queues';
import { closeOnSignal } from '../core/shutdown';
import { MetricsRegistry } from '../observability/metrics';
import { resolveBoardAccess } from './access';
import { createBoardApp } from './app';

/** `npm run board`: the queue board on BOARD_HOST:BOARD_PORT, with /health, /ready and /metrics (every queue's depth, process metrics). */
async function main(logger: Logger): Promise<void> {
  const config = getConfig();
  const credentials = resolveBoardAccess(config.BOARD_HOST, config.BOARD_USER, config.BOARD_PASSWORD);
  // Board pages may read many jobs: allow more than the tracker's fail-fast timeout.
  const redis = createProducerConnection(redisTargetFromConfig(config), { commandTimeoutMs: 10_000 });
  const queues = createQueues({ connection: redis, prefix: queuePrefix(config) });
  const metrics = new MetricsRegistry('board');
  metrics.queues(() => jobCounts(queues.all()));
  const app = createBoardApp({
    host: config.BOARD_HOST,
    queues: queues.all(),
    readOnly: config.BOARD_READ_ONLY,
    credentials,
    readyCheck: () => redis.ping(),
    metrics,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.BOARD_PORT, config.BOARD_HOST, (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  logger.info(
    { host: config.BOARD_HOST, port: config.BOARD_PORT, readOnly: config.BOARD_READ_ONLY, auth: credentials !== undefined },
    'queue board listening',
  );
  closeOnSignal(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await queues.close();
    redis.disconnect();
  }, logger);
  signalReady();
}

if (require.main === module) runEntryPoint('board', main, configuredLogging);
