export { generateErrorCode, normaliseErrorCode, CODE_ALPHABET, CODE_LENGTH } from '../core/error-code';
export { createErrorTracker, type ErrorTracker, type ErrorTrackerDeps, type TrackerLogger } from './tracker';
export { resolveTrackerOptions, type ErrorTrackerOptions, type ResolvedTrackerOptions } from './tracker-options';
export { createErrorPipeline, type ErrorPipeline } from './from-config';
export { ErrorSpool, type SpoolEntry } from './spool';
export type { CaptureMeta } from './build-record';
