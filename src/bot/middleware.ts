import type { Language } from '../attributes/registry';
import type { GuildRecord, InteractionAttributes, ModdyDatabase } from '../db/api';
import { chooseLanguage } from './i18n';
import type { KnownUsers } from './known-users';

export interface InteractionGate {
  attributes: InteractionAttributes;
  language: Language;
  /** A blacklisted user gets a refusal and nothing else runs (no row is written for them either). */
  blacklisted: boolean;
  /** The guild's record when `guildRecord` was asked in a guild; `null` when it has no row. */
  guildRecord?: GuildRecord | null;
}

export interface GateInput {
  userId: string;
  guildId: string | null;
  /** The interaction's locale (`fr`, `en-US`, …): the last choice before English. */
  locale: string | null | undefined;
  /** Read the guild's record in the same round trips (the command needs it). Default false. */
  guildRecord?: boolean;
}

/**
 * What every interaction goes through first, in one call to the data API (one read of each cache
 * tier, one SQL statement when PostgreSQL is reached): the user's and the guild's attributes, the
 * guild's record when the command needs it, and the user's row on their first interaction in this
 * process (never for a blacklisted user); then the reply language and the blacklist.
 */
export async function openInteraction(db: ModdyDatabase, knownUsers: KnownUsers, input: GateInput): Promise<InteractionGate> {
  const start = await db.beginInteraction(input.userId, input.guildId, {
    guildRecord: input.guildRecord === true,
    ensureUser: !knownUsers.has(input.userId),
  });
  const attributes = { user: start.user, guild: start.guild };
  const language = chooseLanguage(attributes, input.locale);
  const blacklisted = attributes.user.BLACKLISTED === true;
  if (!blacklisted) knownUsers.add(input.userId);
  return { attributes, language, blacklisted, ...(start.guildRecord === undefined ? {} : { guildRecord: start.guildRecord }) };
}
