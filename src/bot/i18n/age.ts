import type { Translate } from './catalogue';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How long ago something happened, in words of the reply's language ("3 min ago"). */
export function formatAge(ageMs: number, t: Translate): string {
  if (ageMs < 5_000) return t('age.justNow');
  if (ageMs < MINUTE) return t('age.seconds', { count: Math.floor(ageMs / 1000) });
  if (ageMs < HOUR) return t('age.minutes', { count: Math.floor(ageMs / MINUTE) });
  if (ageMs < DAY) return t('age.hours', { count: Math.floor(ageMs / HOUR) });
  return t('age.days', { count: Math.floor(ageMs / DAY) });
}
