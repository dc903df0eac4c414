import { LANGUAGES, type Language, type Attributes } from '../../attributes/registry';
import type { InteractionAttributes } from '../../db/api';

function storedLanguage(attributes: Attributes | null): Language | null {
  const value = attributes?.LANG;
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value) ? (value as Language) : null;
}

/** A Discord locale (`fr`, `en-US`, …) mapped to a catalogue: French for `fr*`, English otherwise. */
export function languageOfLocale(locale: string | null | undefined): Language {
  return locale?.toLowerCase().startsWith('fr') ? 'FR' : 'EN';
}

/** The reply language: the user's `LANG`, else the guild's `LANG`, else the interaction's locale, else English. */
export function chooseLanguage(attributes: InteractionAttributes, locale: string | null | undefined): Language {
  return storedLanguage(attributes.user) ?? storedLanguage(attributes.guild) ?? languageOfLocale(locale);
}
