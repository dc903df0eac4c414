import { getConfig, loggerOptions } from '../config';
import { connectDatabase } from '../connect';
import { buildLogger, createLogger, setRootLogger } from '../core/logger';
import { migrate } from '../db/migrate';
import { redactText } from '../core/redact';
import { generateErrorCode } from '../core/error-code';

/**
 * A short tour of the data API on the configured database: migrates, then walks through the
 * design's examples (attributes with their audit trail, user data, an error code, a guild lookup).
 */
async function tour(): Promise<void> {
  const config = getConfig();
  setRootLogger(buildLogger(loggerOptions(config)));
  const log = createLogger('tour');
  const migration = await migrate(config.DATABASE_URL);
  log.info({ database: redactText(config.DATABASE_URL), applied: migration.applied }, 'database ready');

  const db = await connectDatabase({ config });
  const developer = '111111111111111111';
  const user = '1234567890123456789';
  const guild = '175928847299117063';
  try {
    await db.setAttribute('user', user, 'BETA', true, developer, 'tour: beta access');
    await db.setAttribute('user', user, 'LANG', 'FR', developer, 'tour: language');
    await db.setAttribute('user', user, 'BETA', false, developer, 'tour: end of beta');
    console.log('attributes of the user :', await db.getAttributes('user', user));
    console.log(
      'audit trail            :',
      (await db.getAttributeHistory('user', user)).map(
        (c) => `${c.attributeName} ${JSON.stringify(c.oldValue)} → ${JSON.stringify(c.newValue)} (${c.reason})`,
      ),
    );

    await db.updateUserData(user, 'preferences.timezone', 'Europe/Paris');
    await db.updateUserData(user, 'tags.afk', 'AFK pour 30 minutes');
    console.log('user data              :', (await db.getUser(user))?.data);

    const code = generateErrorCode();
    await db.recordError({ errorCode: code, errorType: 'TypeError', message: 'tour error', command: 'tour' });
    console.log(`error ${code} typed as ${code.toLowerCase()}:`, (await db.getError(code.toLowerCase()))?.message);

    await db.upsertCachedGuild({ guildId: guild, name: 'Tour Guild', features: ['COMMUNITY'], memberCount: 42, updateSource: 'manual' });
    console.log('guild lookup (7 days)  :', (await db.getCachedGuild(guild))?.name);
    console.log('stats                  :', await db.getStats());
  } finally {
    await db.close();
  }
}

tour().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
