import type { Language } from '../../attributes/registry';
import { LOCALES } from '../i18n/locale';

/** A date in the reply's language, in UTC so every shard writes the same text. */
export function formatDate(date: Date, language: Language): string {
  return new Intl.DateTimeFormat(LOCALES[language], { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date) + ' UTC';
}
