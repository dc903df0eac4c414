import { DiscordAPIError } from '@discordjs/rest';

/** Discord answered that the thing does not exist or is not visible to the bot (403/404). */
export function isNotVisible(error: unknown): boolean {
  return error instanceof DiscordAPIError && (error.status === 404 || error.status === 403);
}
