import { CATALOGUES, placeholdersOf, translator } from '../../src/bot/i18n';

describe('message catalogues', () => {
  const en = CATALOGUES.EN;
  const fr = CATALOGUES.FR;

  it('have exactly the same keys', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
  });

  it('use the same placeholders for every key', () => {
    const mismatches = Object.keys(en)
      .map((key) => key as keyof typeof en)
      .filter((key) => JSON.stringify(placeholdersOf(en[key])) !== JSON.stringify(placeholdersOf(fr[key])))
      .map((key) => `${key}: EN ${placeholdersOf(en[key]).join(',')} / FR ${placeholdersOf(fr[key]).join(',')}`);
    expect(mismatches).toEqual([]);
  });

  it('have no empty message and no untranslated French copy of a long English one', () => {
    for (const [key, text] of Object.entries(fr)) {
      expect(text.trim()).not.toBe('');
      const english = en[key as keyof typeof en];
      if (english.length > 20) expect(`${key}: ${text}`).not.toBe(`${key}: ${english}`);
    }
  });

  it('fill placeholders and leave no brace behind', () => {
    const t = translator('FR');
    expect(t('error.unexpected', { code: 'AB12CD34' })).toContain('AB12CD34');
    expect(t('error.unexpected', { code: 'AB12CD34' })).not.toMatch(/\{[A-Za-z]+\}/);
    expect(translator('EN')('refusal.blacklisted')).toBe(en['refusal.blacklisted']);
  });
});
