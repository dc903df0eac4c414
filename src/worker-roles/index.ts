export { runWorkerProcess, openDatabase, workerSettings, type RunningWorker, type StartWorkerOptions } from './runtime';
export { startErrorPersistenceWorker, type StartErrorPersistenceOptions } from './error-persistence';
export { startDiscordLogWorker, type StartDiscordLogOptions } from './discord-log';
export { startMaintenanceWorker, type StartMaintenanceOptions } from './maintenance';
