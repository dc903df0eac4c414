import { InvalidIdError } from '../../src/core/moddy-error';
import { assertSnowflake, isSnowflake } from '../../src/core/snowflake';

describe('snowflakes', () => {
  it.each(['0', '81384788765712384', '1234567890123456789', '9223372036854775807'])('accepts %s', (id) => {
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
    ['21 digits', '123456789012345678901'],
  ])('refuses %s', (_label, value) => {
    expect(() => assertSnowflake(value)).toThrow(InvalidIdError);
    expect(isSnowflake(value)).toBe(false);
  });
});
