/**
 * Appends to a log kept in memory (long pm2/demo runs), keeping at least the newest `limit` entries.
 * The oldest are dropped a tenth of `limit` at a time: dropping one per append moved the whole log
 * at every request once it was full, which cost the simulator more than answering the request.
 */
export function pushBounded<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit + Math.ceil(limit / 10)) list.splice(0, list.length - limit);
}
