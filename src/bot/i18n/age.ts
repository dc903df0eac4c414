import type { Language } from '../../attributes/registry';
import { LOCALES } from './locale';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

/** From the largest unit down: the first one the age reaches is the one spoken. */
const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', YEAR],
  ['month', MONTH],
  ['day', DAY],
  ['hour', HOUR],
  ['minute', MINUTE],
  ['second', SECOND],
];

/**
 * How long ago something happened, in the reply's language with its plural rules, through
 * `Intl.RelativeTimeFormat` ("1 day ago", "yesterday", "il y a 3 minutes", "maintenant").
 */
export function formatAge(ageMs: number, language: Language): string {
  const relative = new Intl.RelativeTimeFormat(LOCALES[language], { numeric: 'auto' });
  const age = Math.max(0, ageMs);
  for (const [unit, size] of UNITS) {
    if (age >= size) return relative.format(-Math.floor(age / size), unit);
  }
  return relative.format(0, 'second');
}
