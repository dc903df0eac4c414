import { configuredLogging, getConfig } from '../config';
import { runEntryPoint } from '../core/entry-point';
import { runWorkerProcess, startMaintenanceWorker } from '../worker-roles';

runEntryPoint(
  'maintenance',
  () => {
    const config = getConfig();
    return runWorkerProcess(config, 'maintenance', 9103, (db) => startMaintenanceWorker({ config, db }));
  },
  configuredLogging,
);
