import { configuredLogging, getConfig } from '../config';
import { runEntryPoint } from '../core/entry-point';
import { runWorkerProcess, startErrorPersistenceWorker } from '../worker-roles';

runEntryPoint(
  'error-persistence',
  () => {
    const config = getConfig();
    return runWorkerProcess(config, 'error-persistence', 9101, (db) => startErrorPersistenceWorker({ config, db }));
  },
  configuredLogging,
);
