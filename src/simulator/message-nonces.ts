import type { APIMessage } from 'discord.js';

/** How long a nonce is remembered for `enforce_nonce`: Discord says "the past few minutes". */
export const NONCE_WINDOW_MS = 5 * 60_000;

/**
 * Recent messages created with a nonce, by author: a create with `enforce_nonce: true` that repeats
 * one gets the original message back and creates nothing, as Discord answers.
 */
export class MessageNonces {
  private readonly byKey = new Map<string, { message: APIMessage; at: number }>();

  constructor(
    private readonly windowMs = NONCE_WINDOW_MS,
    private readonly now: () => number = Date.now,
  ) {}

  recent(authorId: string, nonce: string | number): APIMessage | undefined {
    const entry = this.byKey.get(key(authorId, nonce));
    return entry && this.now() - entry.at < this.windowMs ? entry.message : undefined;
  }

  remember(message: APIMessage): void {
    if (message.nonce === undefined) return;
    const now = this.now();
    // Forget the expired ones as new ones come: the map stays as small as the window's posts.
    for (const [stale, entry] of this.byKey) {
      if (now - entry.at < this.windowMs) break;
      this.byKey.delete(stale);
    }
    const id = key(message.author.id, message.nonce);
    // Re-inserted, not updated in place: the map stays in time order, which the sweep above relies on.
    this.byKey.delete(id);
    this.byKey.set(id, { message, at: now });
  }
}

function key(authorId: string, nonce: string | number): string {
  return `${authorId}/${String(nonce)}`;
}
