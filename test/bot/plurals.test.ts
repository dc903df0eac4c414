import { CATALOGUES, formatAge, pluralFormsOf, translator } from '../../src/bot/i18n';
import { LOCALES } from '../../src/bot/i18n/locale';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('plurals and relative times', () => {
  it('says how long ago in English, with its plural rules', () => {
    expect(formatAge(0, 'EN')).toBe('now');
    expect(formatAge(1 * SECOND, 'EN')).toBe('1 second ago');
    expect(formatAge(42 * SECOND, 'EN')).toBe('42 seconds ago');
    expect(formatAge(1 * MINUTE + 30 * SECOND, 'EN')).toBe('1 minute ago');
    expect(formatAge(3 * HOUR, 'EN')).toBe('3 hours ago');
    expect(formatAge(1 * DAY, 'EN')).toBe('yesterday');
    expect(formatAge(2 * DAY, 'EN')).toBe('2 days ago');
    expect(formatAge(400 * DAY, 'EN')).toBe('last year');
  });

  it('says how long ago in French, with its plural rules', () => {
    expect(formatAge(0, 'FR')).toBe('maintenant');
    expect(formatAge(1 * SECOND, 'FR')).toBe('il y a 1 seconde');
    expect(formatAge(5 * MINUTE, 'FR')).toBe('il y a 5 minutes');
    expect(formatAge(1 * HOUR, 'FR')).toBe('il y a 1 heure');
    expect(formatAge(1 * DAY, 'FR')).toBe('hier');
    expect(formatAge(3 * DAY, 'FR')).toBe('il y a 3 jours');
  });

  it('never speaks of the future for a clock slightly ahead', () => {
    expect(formatAge(-500, 'EN')).toBe('now');
  });

  const cacheStats = (hits: number, misses: number, loads: number) => ({
    localHits: hits,
    localMisses: misses,
    redisHits: hits,
    redisMisses: misses,
    databaseLoads: loads,
  });

  it('picks the English form by count: one for 1, other for 0 and many', () => {
    const t = translator('EN');
    expect(t('dev.stats.cache', cacheStats(1, 2, 1))).toBe('local 1 hit / 2 misses, Redis 1 hit / 2 misses, 1 database read');
    expect(t('dev.stats.cache', cacheStats(0, 1, 1500))).toBe('local 0 hits / 1 miss, Redis 0 hits / 1 miss, 1,500 database reads');
  });

  it('picks the French form by count: singular for 0 and 1, numbers in French notation', () => {
    const t = translator('FR');
    expect(t('dev.stats.cache', cacheStats(0, 0, 1))).toBe('local 0 succès / 0 échec, Redis 0 succès / 0 échec, 1 lecture en base');
    expect(t('dev.stats.cache', cacheStats(2, 2, 1500))).toMatch(
      /^local 2 succès \/ 2 échecs, Redis 2 succès \/ 2 échecs, 1\s500 lectures en base$/u,
    );
    expect(t('dev.stats', { users: 3, premium: 0, beta: 0, blacklisted: 0, guilds: 2, activeGuilds: 1, errors: 0, cache: '' })).toContain(
      '(1 actif)',
    );
    expect(t('dev.stats', { users: 3, premium: 0, beta: 0, blacklisted: 0, guilds: 2, activeGuilds: 2, errors: 0, cache: '' })).toContain(
      '(2 actifs)',
    );
  });

  it("every plural placeholder of both catalogues has an `other` form and only its language's categories", () => {
    for (const [language, catalogue] of Object.entries(CATALOGUES) as [keyof typeof LOCALES, Record<string, string>][]) {
      const categories = new Intl.PluralRules(LOCALES[language]).resolvedOptions().pluralCategories as string[];
      for (const [key, template] of Object.entries(catalogue)) {
        for (const forms of pluralFormsOf(template)) {
          expect(`${language} ${key}: ${forms.has('other')}`).toBe(`${language} ${key}: true`);
          for (const category of forms.keys()) expect(categories).toContain(category);
        }
      }
    }
  });
});
