import { configuredLogging, getConfig } from '../src/config';
import { runEntryPoint } from '../src/core/entry-point';
import { runWorkerProcess, startMaintenanceWorker } from '../src/worker-roles';

runEntryPoint('maintenance', () => runWorkerProcess(getConfig(), 'maintenance', 9103, startMaintenanceWorker), configuredLogging);
