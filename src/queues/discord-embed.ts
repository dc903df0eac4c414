import { clipText } from '../core/storable';
import type { ErrorJobData } from './job-data';

/** The subset of Discord's embed object the error log uses. */
export interface LogEmbed {
  title: string;
  description: string;
  color: number;
  timestamp: string;
  fields: { name: string; value: string; inline?: boolean }[];
  footer: { text: string };
}

const RED = 0xe74c3c;
const ORANGE = 0xe67e22;
/** Codes listed in a grouped or repeat embed; the count says how many there were in all. */
const CODES_SHOWN = 10;
/** Discord's limits: field values 1024 characters, descriptions 4096. */
const FIELD_MAX = 1024;
const TRACEBACK_LINES = 12;
const TRACEBACK_MAX = 1500;

/** The error-log embed: code, type, message, command, user, guild, time and a short traceback. */
export function buildErrorEmbed(error: ErrorJobData): LogEmbed {
  const unixSeconds = Math.floor(new Date(error.timestamp).getTime() / 1000);
  const location = locationOf(error);
  return {
    title: `Error ${error.errorCode}`,
    description: error.traceback ? codeBlock(shortTraceback(error.traceback)) : '*No traceback*',
    color: RED,
    timestamp: error.timestamp,
    fields: [
      { name: 'Code', value: `\`${error.errorCode}\``, inline: true },
      { name: 'Type', value: clipText(error.errorType, FIELD_MAX), inline: true },
      { name: 'Command', value: error.command ? `\`/${clipText(error.command, 100)}\`` : '—', inline: true },
      { name: 'User', value: error.userId ? `<@${error.userId}> (${error.userId})` : '—', inline: true },
      { name: 'Guild', value: error.guildId ?? '—', inline: true },
      { name: 'Time', value: `<t:${unixSeconds}:F>`, inline: true },
      { name: 'Source', value: `\`${clipText(location, 200)}\`` },
      { name: 'Message', value: clipText(error.message || '(empty)', FIELD_MAX) },
    ],
    footer: { text: `/dev error code:${error.errorCode}` },
  };
}

function locationOf(error: ErrorJobData): string {
  return error.fileSource ? `${error.fileSource}${error.lineNumber === null ? '' : `:${error.lineNumber}`}` : 'unknown';
}

function shortTraceback(traceback: string): string {
  return traceback.split('\n').slice(0, TRACEBACK_LINES).join('\n').slice(0, TRACEBACK_MAX);
}

function codeBlock(text: string): string {
  return `\`\`\`\n${text.replace(/```/g, 'ˋˋˋ')}\n\`\`\``;
}

/**
 * The embed of `count` identical errors seen together: the first one's, with how many there were
 * and their codes (each one is stored and quotable with `/dev error`).
 */
export function buildGroupedErrorEmbed(errors: readonly ErrorJobData[]): LogEmbed {
  const [first] = errors;
  if (!first) throw new RangeError('buildGroupedErrorEmbed needs at least one error');
  const embed = buildErrorEmbed(first);
  if (errors.length === 1) return embed;
  return {
    ...embed,
    title: `${embed.title} ×${errors.length}`,
    fields: [
      ...embed.fields,
      {
        name: `Occurrences (${errors.length})`,
        value: codeList(
          errors.map((error) => error.errorCode),
          errors.length,
        ),
      },
    ],
  };
}

/** The follow-up post of the errors identical to `sample` that came after `windowCode`'s post within the dedupe window. */
export function buildRepeatsEmbed(
  sample: ErrorJobData,
  windowCode: string,
  count: number,
  codes: readonly string[],
  windowSeconds: number,
): LogEmbed {
  return {
    title: `Error ${windowCode} repeated ×${count}`,
    description: `${count} more identical error${count === 1 ? '' : 's'} within ${windowSeconds} s of \`${windowCode}\`.`,
    color: ORANGE,
    timestamp: new Date().toISOString(),
    fields: [
      { name: 'Type', value: clipText(sample.errorType, FIELD_MAX), inline: true },
      { name: 'Source', value: `\`${clipText(locationOf(sample), 200)}\``, inline: true },
      { name: 'Message', value: clipText(sample.message || '(empty)', FIELD_MAX) },
      { name: 'Codes', value: codeList(codes, count) },
    ],
    footer: { text: `/dev error code:${codes[codes.length - 1] ?? windowCode}` },
  };
}

function codeList(codes: readonly string[], total: number): string {
  const shown = codes
    .slice(0, CODES_SHOWN)
    .map((code) => `\`${code}\``)
    .join(', ');
  return total > CODES_SHOWN ? `${shown} and ${total - Math.min(codes.length, CODES_SHOWN)} more` : shown || '—';
}
