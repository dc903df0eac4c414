import { configuredLogging, getConfig } from '../config';
import { runEntryPoint } from '../core/entry-point';
import { runWorkerProcess, startDiscordLogWorker } from '../worker-roles';

runEntryPoint(
  'discord-log',
  () => {
    const config = getConfig();
    return runWorkerProcess(config, 'discord-log', 9102, () => startDiscordLogWorker({ config }));
  },
  configuredLogging,
);
