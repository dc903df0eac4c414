import type { Language } from '../../attributes/registry';

/** The BCP 47 locale of each reply language, for Intl (dates, plurals, relative times, numbers). */
export const LOCALES: Readonly<Record<Language, string>> = { EN: 'en-GB', FR: 'fr-FR' };
