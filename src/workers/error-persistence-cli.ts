import { configuredLogging, getConfig } from '../config';
import { runEntryPoint } from '../core/entry-point';
import { runWorkerProcess, startErrorPersistenceWorker } from '../worker-roles';

runEntryPoint(
  'error-persistence',
  () => runWorkerProcess(getConfig(), 'error-persistence', 9101, startErrorPersistenceWorker),
  configuredLogging,
);
