export { connectDatabase, type ConnectOptions } from './connect';
export type * from './db/api';
export { migrate } from './db/migrate';
export { ATTRIBUTES, LANGUAGES, type AttributeName, type AttributeValue, type Attributes, type EntityType } from './attributes/registry';
export * from './core/moddy-error';
export { getConfig, parseConfig, type Config } from './config';
