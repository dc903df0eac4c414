import { configuredLogging, getConfig } from '../src/config';
import { runEntryPoint } from '../src/core/entry-point';
import { runWorkerProcess, startDiscordLogWorker } from '../src/worker-roles';

runEntryPoint('discord-log', () => runWorkerProcess(getConfig(), 'discord-log', 9102, startDiscordLogWorker), configuredLogging);
