import { configuredLogging, getConfig } from '../config';
import { runEntryPoint } from '../core/entry-point';
import { runWorkerProcess, startMaintenanceWorker } from '../worker-roles';

runEntryPoint('maintenance', () => runWorkerProcess(getConfig(), 'maintenance', 9103, startMaintenanceWorker), configuredLogging);
