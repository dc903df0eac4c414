export { configFields, configSchema, type Config } from './schema';
export { parseConfig, getConfig } from './load';
export { loggerOptions, configuredLogging } from './logging';
