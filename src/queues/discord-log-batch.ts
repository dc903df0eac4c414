import { createHash } from 'node:crypto';
import type { LogEmbed } from './discord-embed';
import type { ErrorJobData } from './job-data';

/** Discord's limits on one message: 10 embeds, 6000 characters across all of them. */
export const MAX_EMBEDS_PER_MESSAGE = 10;
export const MAX_EMBED_CHARACTERS_PER_MESSAGE = 6000;

/**
 * What makes two errors "the same" for the log channel: type, message and place (not the code,
 * unique per occurrence, nor the user or guild). A short hash, used in Redis keys.
 */
export function errorFingerprint(error: ErrorJobData): string {
  const identity = JSON.stringify([error.errorType, error.message, error.fileSource, error.lineNumber]);
  return createHash('sha256').update(identity).digest('hex').slice(0, 24);
}

/** Discord's longest message nonce. */
const MAX_NONCE_LENGTH = 25;

/**
 * The nonce of a log message, from what its embeds stand for (`keys`: the errors' codes, a
 * follow-up's job and count). Sent with `enforce_nonce`, the retry of a post Discord stored but
 * whose answer was lost (a timeout, a reset connection) gets the stored message back instead of
 * posting it twice: same errors, same nonce; different errors, a different one.
 */
export function messageNonce(keys: readonly string[]): string {
  const prefix = 'log-';
  return (
    prefix +
    createHash('sha256')
      .update(keys.join('\n'))
      .digest('base64url')
      .slice(0, MAX_NONCE_LENGTH - prefix.length)
  );
}

/** Items grouped by fingerprint, in order of first appearance. */
export function groupByFingerprint<T>(items: readonly T[], fingerprint: (item: T) => string): { fingerprint: string; items: T[] }[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = fingerprint(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups].map(([key, grouped]) => ({ fingerprint: key, items: grouped }));
}

/** The characters Discord counts toward a message's 6000: title, description, field names and values, footer. */
export function embedCharacters(embed: LogEmbed): number {
  return (
    embed.title.length +
    embed.description.length +
    embed.footer.text.length +
    embed.fields.reduce((sum, field) => sum + field.name.length + field.value.length, 0)
  );
}

/** Splits embeds into messages within Discord's limits, in order; none is dropped. */
export function chunkEmbeds<T extends { embed: LogEmbed }>(entries: readonly T[]): T[][] {
  const messages: T[][] = [];
  let current: T[] = [];
  let characters = 0;
  for (const entry of entries) {
    const size = embedCharacters(entry.embed);
    if (current.length > 0 && (current.length === MAX_EMBEDS_PER_MESSAGE || characters + size > MAX_EMBED_CHARACTERS_PER_MESSAGE)) {
      messages.push(current);
      current = [];
      characters = 0;
    }
    current.push(entry);
    characters += size;
  }
  if (current.length > 0) messages.push(current);
  return messages;
}
