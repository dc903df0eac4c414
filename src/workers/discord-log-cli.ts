import { configuredLogging, getConfig } from '../config';
import { runEntryPoint } from '../core/entry-point';
import { runWorkerProcess, startDiscordLogWorker } from '../worker-roles';

runEntryPoint('discord-log', () => runWorkerProcess(getConfig(), 'discord-log', 9102, startDiscordLogWorker), configuredLogging);
