import { removeRunBuild, TEST_RUN_ENV } from '../helpers/production-build';

/** Removes what the run shared between its workers. */
export default async function globalTeardown(): Promise<void> {
  const run = process.env[TEST_RUN_ENV];
  if (run !== undefined) await removeRunBuild(run);
}
