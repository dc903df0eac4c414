import { run as cache } from './cache';
import { run as errorPipeline } from './error-pipeline';

/**
 * `npm run bench`: runs every benchmark section in turn (each prepares and drops its own data).
 * `npm run bench -- cache` runs only the named sections.
 */
const SECTIONS: Record<string, () => Promise<void>> = { cache, 'error-pipeline': errorPipeline };

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  for (const [name, run] of Object.entries(SECTIONS)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    console.log(`\n== ${name} ==`);
    await run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
