import { configuredLogging, getConfig } from '../src/config';
import { runEntryPoint } from '../src/core/entry-point';
import { runWorkerProcess, startMaintenanceWorker } from '../src/worker-roles';

runEntryPoint(
  'maintenance',
  () => {
    const config = getConfig();
    return runWorkerProcess(config, 'maintenance', 9103, (db) => startMaintenanceWorker({ config, db }));
  },
  configuredLogging,
);
