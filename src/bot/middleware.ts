import type { Language } from '../attributes/registry';
import type { InteractionAttributes, ModdyDatabase } from '../db/api';
import { chooseLanguage } from './i18n';
import type { KnownUsers } from './known-users';

export interface InteractionGate {
  attributes: InteractionAttributes;
  language: Language;
  /** A blacklisted user gets a refusal and nothing else runs (no row is written for them either). */
  blacklisted: boolean;
}

export interface GateInput {
  userId: string;
  guildId: string | null;
  /** The interaction's locale (`fr`, `en-US`, …): the last choice before English. */
  locale: string | null | undefined;
}

/**
 * What every interaction goes through first: the user's and the guild's attributes in one read
 * (through the cache tier), the reply language, the blacklist, and the user's row on their first
 * interaction in this process.
 */
export async function openInteraction(db: ModdyDatabase, knownUsers: KnownUsers, input: GateInput): Promise<InteractionGate> {
  const attributes = await db.getInteractionAttributes(input.userId, input.guildId);
  const language = chooseLanguage(attributes, input.locale);
  if (attributes.user.BLACKLISTED === true) return { attributes, language, blacklisted: true };
  if (!knownUsers.has(input.userId)) {
    await db.ensureUser(input.userId);
    knownUsers.add(input.userId);
  }
  return { attributes, language, blacklisted: false };
}
