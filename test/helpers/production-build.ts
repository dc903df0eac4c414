import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../..');
const BUILDS = path.join(ROOT, 'var/test-build');
/** Set by test/setup/global-setup.ts: one build per jest run, shared by its workers. */
export const TEST_RUN_ENV = 'MODDY_TEST_RUN';

/** Where the current jest run's production build lives. */
export function runBuildDir(run = process.env[TEST_RUN_ENV]): string {
  return path.join(BUILDS, `run-${run ?? process.pid}`);
}

/**
 * The production build (tsconfig.build.json: what `npm run build` makes) that process-mode suites
 * run, compiled once per jest run into its own folder: suites on other workers wait for it instead
 * of compiling again, and none of them writes `dist/` under another (the pm2 suite builds `dist/`,
 * which its ecosystem file names). Resolves with the folder (`<dir>/src/cluster/cluster-entry.js`…).
 */
export async function productionBuild(timeoutMs = 180_000): Promise<string> {
  const dir = runBuildDir();
  const done = path.join(dir, '.complete');
  const failed = path.join(dir, '.failed');
  let builder = true;
  await mkdir(BUILDS, { recursive: true });
  try {
    await mkdir(dir); // the one suite that creates it builds
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    builder = false;
  }
  if (builder) {
    try {
      const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
      await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', dir], { cwd: ROOT });
      await writeFile(done, '');
    } catch (error) {
      await writeFile(failed, String(error));
      throw error;
    }
    return dir;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await exists(done)) return dir;
    if (await exists(failed)) throw new Error(`the shared production build failed: ${await readFile(failed, 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`the shared production build in ${dir} did not finish within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Removes a run's build (global teardown). */
export async function removeRunBuild(run: string): Promise<void> {
  await rm(runBuildDir(run), { recursive: true, force: true });
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
