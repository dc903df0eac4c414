import { configSchema, type Config } from './schema';
import { ConfigError } from '../core/moddy-error';

/**
 * Validates an environment (by default `process.env`) against the schema. Every bad variable is
 * reported in one error, one line each, so an operator fixes them all in one go.
 */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = configSchema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(problems);
  }
  return result.data;
}

let loaded: Config | undefined;

/** The process configuration, read from the environment once. */
export function getConfig(): Config {
  loaded ??= parseConfig();
  return loaded;
}
