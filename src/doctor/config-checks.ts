import { parseConfig, type Config } from '../config';
import { ConfigError } from '../core/moddy-error';
import { fail, pass, type CheckResult } from './check';

/** The configuration parses, and says production: the doctor checks a deployment, not a development checkout. */
export function checkConfig(env: NodeJS.ProcessEnv): { config?: Config; results: CheckResult[] } {
  let config: Config;
  try {
    config = parseConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { results: [fail('configuration', error.problems.join('; '), 'fix the variables listed (see .env.example)')] };
  }
  const results = [pass('configuration', 'every variable valid')];
  results.push(
    config.NODE_ENV === 'production'
      ? pass('NODE_ENV', 'production')
      : fail('NODE_ENV', config.NODE_ENV, 'set NODE_ENV=production in a deployment (JSON logs, pm2 --env production)'),
  );
  return { config, results };
}
