import { chooseLanguage, languageOfLocale } from '../../src/bot/i18n';

describe('reply language', () => {
  it("prefers the user's LANG over the guild's and the locale", () => {
    expect(chooseLanguage({ user: { LANG: 'EN' }, guild: { LANG: 'FR' } }, 'fr')).toBe('EN');
    expect(chooseLanguage({ user: { LANG: 'FR' }, guild: null }, 'en-US')).toBe('FR');
  });

  it("falls back to the guild's LANG, then to the interaction locale", () => {
    expect(chooseLanguage({ user: {}, guild: { LANG: 'FR' } }, 'en-US')).toBe('FR');
    expect(chooseLanguage({ user: { BETA: true }, guild: {} }, 'fr')).toBe('FR');
    expect(chooseLanguage({ user: {}, guild: null }, 'en-GB')).toBe('EN');
  });

  it('maps French locales to FR and anything else (or nothing) to English', () => {
    expect(languageOfLocale('fr')).toBe('FR');
    expect(languageOfLocale('FR-ca')).toBe('FR');
    expect(languageOfLocale('de')).toBe('EN');
    expect(languageOfLocale(undefined)).toBe('EN');
  });

  it('ignores a stored language the catalogues do not have', () => {
    expect(chooseLanguage({ user: { LANG: 'DE' }, guild: { LANG: 'FR' } }, 'en-US')).toBe('FR');
  });
});
