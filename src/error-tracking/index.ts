export { generateErrorCode, normaliseErrorCode, CODE_ALPHABET, CODE_LENGTH } from './code';
export { createErrorTracker, type ErrorTracker, type ErrorTrackerDeps, type ErrorTrackerOptions, type TrackerLogger } from './tracker';
export { createErrorPipeline, type ErrorPipeline } from './from-config';
export { ErrorSpool, type SpoolEntry } from './spool';
export type { CaptureMeta } from './build-record';
