import { configuredLogging, getConfig } from '../src/config';
import { runEntryPoint } from '../src/core/entry-point';
import { runWorkerProcess, startErrorPersistenceWorker } from '../src/worker-roles';

runEntryPoint(
  'error-persistence',
  () => {
    const config = getConfig();
    return runWorkerProcess(config, 'error-persistence', 9101, (db) => startErrorPersistenceWorker({ config, db }));
  },
  configuredLogging,
);
