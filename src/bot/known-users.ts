/**
 * The users whose row this process already ensured, so `ensureUser` runs once per user per process
 * rather than on every interaction. Bounded: past `maxSize` the oldest entries are forgotten (their
 * next interaction costs one idempotent `ensureUser` again).
 */
export class KnownUsers {
  private readonly ids = new Set<string>();

  constructor(private readonly maxSize = 100_000) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.maxSize) {
      // A Set iterates in insertion order: the first value is the oldest.
      const oldest = this.ids.values().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
  }

  get size(): number {
    return this.ids.size;
  }
}
