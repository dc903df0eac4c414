import { InvalidIdError } from '../../src/core/moddy-error';
import { assertSnowflake, isSnowflake } from '../../src/core/snowflake';

describe('snowflakes', () => {
  it.each(['0', '7', '81384788765712384', '1234567890123456789', '9223372036854775806', '9223372036854775807'])('accepts %s', (id) => {
    expect(assertSnowflake(id)).toBe(id);
  });

  it.each([
    ['a number', 81384788765712384],
    ['a bigint', 81384788765712384n],
    ['an empty string', ''],
    ['letters', '12ab'],
    ['a sign', '-1'],
    ['an exponent', '1e18'],
    ['spaces', ' 123'],
    ['a leading zero', '0123'],
    ['more than 2^63-1', '9223372036854775808'],
    ['19 digits, all nines', '9999999999999999999'],
    ['20 digits (a snowflake past 2^63)', '18446744073709551615'],
    ['leading zeros', '00'],
    ['21 digits', '123456789012345678901'],
  ])('refuses %s', (_label, value) => {
    expect(() => assertSnowflake(value)).toThrow(InvalidIdError);
    expect(isSnowflake(value)).toBe(false);
  });
});
