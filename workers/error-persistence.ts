import { configuredLogging, getConfig } from '../src/config';
import { runEntryPoint } from '../src/core/entry-point';
import { runWorkerProcess, startErrorPersistenceWorker } from '../src/worker-roles';

runEntryPoint(
  'error-persistence',
  () => runWorkerProcess(getConfig(), 'error-persistence', 9101, startErrorPersistenceWorker),
  configuredLogging,
);
