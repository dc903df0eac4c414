import { configuredLogging } from '../config';
import { runEntryPoint } from '../core/entry-point';
import { runDoctor, secretsOf } from './doctor';
import { renderReport } from './report';

/**
 * `npm run doctor`: checks a deployment's configuration and every service it needs, prints a
 * ✔/✘ table with the fix for each ✘, and exits 1 when anything failed.
 */
runEntryPoint(
  'doctor',
  async () => {
    const results = await runDoctor(process.env);
    // The raw environment: a secret of an invalid configuration must not leak either.
    const env = process.env;
    const secrets = secretsOf({
      DISCORD_TOKEN: env.DISCORD_TOKEN,
      BOARD_PASSWORD: env.BOARD_PASSWORD,
      DATABASE_URL: safeUrl(env.DATABASE_URL),
      REDIS_URL: safeUrl(env.REDIS_URL),
    });
    process.stdout.write(`Moddy doctor\n\n${renderReport(results, secrets)}\n`);
    process.exitCode = results.every((result) => result.ok) ? 0 : 1;
  },
  configuredLogging,
);

function safeUrl(url: string | undefined): string | undefined {
  return url && URL.canParse(url) ? url : undefined;
}
