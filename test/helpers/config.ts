import { parseConfig, type Config } from '../../src/config';

/** The schema's defaults, as a test process would run them: what tests pass where code takes a configuration. */
export const TEST_CONFIG: Config = parseConfig({ NODE_ENV: 'test' });
