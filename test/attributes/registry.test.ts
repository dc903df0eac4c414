import { ATTRIBUTES } from '../../src/attributes/registry';

describe('the attribute registry', () => {
  it('declares every attribute of the design with its entity types and kind', () => {
    const summary = Object.fromEntries(
      Object.entries(ATTRIBUTES).map(([name, definition]) => [name, `${definition.kind}:${[...definition.entities].join('+')}`]),
    );
    expect(summary).toEqual({
      BETA: 'boolean:user',
      PREMIUM: 'boolean:user',
      DEVELOPER: 'boolean:user',
      BLACKLISTED: 'boolean:user',
      VERIFIED: 'boolean:user',
      SUPPORTER: 'boolean:user',
      TRACK: 'boolean:user',
      OFFICIAL_SERVER: 'boolean:guild',
      BETA_FEATURES: 'boolean:guild',
      PREMIUM_GUILD: 'boolean:guild',
      VERIFIED_GUILD: 'boolean:guild',
      LEGACY: 'boolean:guild',
      LANG: 'valued:user+guild',
    });
    expect(ATTRIBUTES.LANG.values).toEqual(['FR', 'EN']);
  });
});
