// The demo prints its own story; keep the processes' JSON logs to warnings unless asked otherwise.
process.env.LOG_LEVEL ??= 'warn';

import path from 'node:path';
import type { Server } from 'node:http';
import { REST } from '@discordjs/rest';
import { createBoardApp } from '../board/app';
import { deployCommands } from '../bot/deploy-commands';
import { startClusterManager } from '../cluster/manager';
import { getConfig, loggerOptions } from '../config';
import { connectDatabase } from '../connect';
import { buildLogger, createLogger, setRootLogger } from '../core/logger';
import { migrate } from '../db/migrate';
import { redactText } from '../core/redact';
import { queuePrefix } from '../queues/queue-prefix';
import { redisEnvironment, redisTargetFromConfig } from '../redis';
import { createProducerConnection } from '../queues/connection';
import { createQueues } from '../queues/queues';
import { DEV_TOKEN, DiscordSimulator } from '../simulator';
import { startDiscordLogWorker, startErrorPersistenceWorker, startMaintenanceWorker, type RunningWorker } from '../worker-roles';
import { playSession, type SessionStep } from './session';
import { buildDemoWorld } from './world';

const TOTAL_SHARDS = 4;
const SHARDS_PER_CLUSTER = 2;

/**
 * `npm run demo`: the whole of Moddy on this machine, offline. Migrates, starts the local Discord
 * simulator, the workers, the board and the cluster manager (2 clusters × 2 shards), plays a
 * scripted session, then keeps running until Ctrl-C.
 */
async function main(): Promise<void> {
  const config = getConfig();
  setRootLogger(buildLogger(loggerOptions(config)));
  const logger = createLogger('demo');
  const closers: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const close of closers.reverse()) await close().catch((error: unknown) => logger.warn({ err: error }, 'while stopping'));
  };
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    say(`\n${signal}: stopping the clusters, the workers (draining their jobs), the board and the simulator…`);
    void stopAll().then(() => process.exit(0));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const migration = await migrate(config.DATABASE_URL);
  say(
    `PostgreSQL  ${redactText(config.DATABASE_URL)} (${migration.applied.length ? `applied ${migration.applied.join(', ')}` : 'schema up to date'})`,
  );

  const { cast, guilds, users } = buildDemoWorld(TOTAL_SHARDS, SHARDS_PER_CLUSTER, config.SIMULATOR_GUILDS);
  const simulator = new DiscordSimulator({
    host: config.SIMULATOR_HOST,
    port: config.SIMULATOR_PORT,
    token: DEV_TOKEN,
    guilds,
    users,
    logger: createLogger('simulator'),
  });
  await simulator.start();
  closers.push(() => simulator.stop());
  say(`Discord     local simulator at ${simulator.apiUrl} with ${guilds.length} guilds`);

  const applicationId = simulator.options.applicationId;
  const registered = await deployCommands({ token: DEV_TOKEN, applicationId, apiUrl: simulator.apiUrl });
  say(`Commands    ${registered} slash commands registered (npm run deploy-commands)`);

  const db = await connectDatabase({ config, cache: false, poolSize: 4 });
  closers.push(() => db.close());
  const rest = new REST({ api: simulator.apiUrl }).setToken(DEV_TOKEN);
  const workers: RunningWorker[] = [
    await startErrorPersistenceWorker({ config, db }),
    await startDiscordLogWorker({ config, rest, channelId: cast.logChannel }),
    await startMaintenanceWorker({ config, db }),
  ];
  closers.push(async () => void (await Promise.all(workers.map((worker) => worker.close()))));
  say('Workers     error persistence, Discord log, maintenance (BullMQ)');

  const boardRedis = createProducerConnection(redisTargetFromConfig(config), { commandTimeoutMs: 10_000 });
  const queues = createQueues({ connection: boardRedis, prefix: queuePrefix(config) });
  const board = createBoardApp({ host: '127.0.0.1', queues: queues.all(), readyCheck: () => boardRedis.ping() });
  const boardServer = await new Promise<Server>((resolve, reject) => {
    const server = board.listen(config.BOARD_PORT, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(server)));
  });
  closers.push(async () => {
    await new Promise<void>((resolve) => {
      boardServer.close(() => resolve());
      boardServer.closeAllConnections();
    });
    await queues.close();
    boardRedis.disconnect();
  });
  const boardUrl = `http://127.0.0.1:${config.BOARD_PORT}/`;
  say(`Board       ${boardUrl}`);

  const manager = await startClusterManager({
    token: DEV_TOKEN,
    apiUrl: simulator.apiUrl,
    databaseUrl: config.DATABASE_URL,
    totalShards: TOTAL_SHARDS,
    shardsPerCluster: SHARDS_PER_CLUSTER,
    spawnDelayMs: 0,
    file: path.join(__dirname, '..', 'cluster', 'cluster-entry.js'),
    env: {
      LOG_LEVEL: config.LOG_LEVEL,
      DATABASE_URL: config.DATABASE_URL,
      ...redisEnvironment(redisTargetFromConfig(config)),
      CACHE_PREFIX: config.CACHE_PREFIX,
      BOT_OWNER_IDS: [...config.BOT_OWNER_IDS, cast.owner].join(','),
      ERROR_SPOOL_PATH: config.ERROR_SPOOL_PATH,
    },
    logger: createLogger('cluster-manager'),
  });
  closers.push(() => manager.close());
  await manager.whenReady(90_000);
  say(`Bot         ${manager.totalClusters} clusters × ${SHARDS_PER_CLUSTER} shards connected and ready\n`);

  say('Scripted session (each line: what was sent → what the bot answered):');
  const steps = await playSession(simulator, cast, printStep);
  const failed = steps.filter((step) => !step.ok);
  say(
    failed.length === 0
      ? `\nAll ${steps.length} steps behaved as expected.`
      : `\n${failed.length} of ${steps.length} steps did not behave as expected: ${failed.map((step) => step.title).join('; ')}`,
  );
  say(`\nStill running: the board is at ${boardUrl}, the simulator at ${simulator.apiUrl}. Ctrl-C to stop.`);
  if (failed.length > 0) process.exitCode = 1;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function printStep(step: SessionStep): void {
  const reply = step.reply.replace(/\s*\n\s*/g, ' · ');
  say(`${step.ok ? '✔' : '✘'} ${step.title}\n    → ${reply.length > 160 ? `${reply.slice(0, 157)}…` : reply}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
