/** Appends to a log kept in memory, dropping the oldest entries beyond `limit` (long pm2/demo runs). */
export function pushBounded<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}
