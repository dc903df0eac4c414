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
/** Discord's limits: field values 1024 characters, descriptions 4096. */
const FIELD_MAX = 1024;
const TRACEBACK_LINES = 12;
const TRACEBACK_MAX = 1500;

/** The error-log embed: code, type, message, command, user, guild, time and a short traceback. */
export function buildErrorEmbed(error: ErrorJobData): LogEmbed {
  const unixSeconds = Math.floor(new Date(error.timestamp).getTime() / 1000);
  const location = error.fileSource ? `${error.fileSource}${error.lineNumber === null ? '' : `:${error.lineNumber}`}` : 'unknown';
  return {
    title: `Error ${error.errorCode}`,
    description: error.traceback ? codeBlock(shortTraceback(error.traceback)) : '*No traceback*',
    color: RED,
    timestamp: error.timestamp,
    fields: [
      { name: 'Code', value: `\`${error.errorCode}\``, inline: true },
      { name: 'Type', value: clip(error.errorType), inline: true },
      { name: 'Command', value: error.command ? `\`/${clip(error.command, 100)}\`` : '—', inline: true },
      { name: 'User', value: error.userId ? `<@${error.userId}> (${error.userId})` : '—', inline: true },
      { name: 'Guild', value: error.guildId ?? '—', inline: true },
      { name: 'Time', value: `<t:${unixSeconds}:F>`, inline: true },
      { name: 'Source', value: `\`${clip(location, 200)}\`` },
      { name: 'Message', value: clip(error.message || '(empty)') },
    ],
    footer: { text: `/dev error code:${error.errorCode}` },
  };
}

function shortTraceback(traceback: string): string {
  return traceback.split('\n').slice(0, TRACEBACK_LINES).join('\n').slice(0, TRACEBACK_MAX);
}

function codeBlock(text: string): string {
  return `\`\`\`\n${text.replace(/```/g, 'ˋˋˋ')}\n\`\`\``;
}

function clip(text: string, max = FIELD_MAX): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
