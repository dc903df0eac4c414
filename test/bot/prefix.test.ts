import { validatePrefix } from '../../src/bot/commands/config-command';
import { InvalidPrefixError } from '../../src/bot/command-errors';

describe('validatePrefix', () => {
  it.each(['!', '?!', 'mod!', '🦊', '👋🏽!', 'ñ'])('accepts %j', (prefix) => {
    expect(validatePrefix(prefix)).toBe(prefix);
  });

  it.each(['', 'toolong', 'a b', '\t', '!\u0000', '\u0007', '\ud83d', 'a\ude00', '\u200b\u0000'])(
    'refuses %j with InvalidPrefixError',
    (prefix) => {
      expect(() => validatePrefix(prefix)).toThrow(InvalidPrefixError);
    },
  );
});
