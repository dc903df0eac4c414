import { pushBounded } from '../../src/simulator/bounded';

describe('pushBounded', () => {
  it('keeps the newest entries in order, never fewer than the limit once reached and at most a tenth more', () => {
    const log: number[] = [];
    const lengths = new Set<number>();
    let lastIsNewest = true;
    for (let n = 0; n < 25_000; n++) {
      pushBounded(log, n, 1_000);
      if (n >= 999) lengths.add(log.length);
      lastIsNewest &&= log[log.length - 1] === n;
    }
    expect(lastIsNewest).toBe(true);
    expect(Math.min(...lengths)).toBe(1_000);
    expect(Math.max(...lengths)).toBe(1_100);
    expect(log).toEqual(Array.from({ length: log.length }, (_, index) => 25_000 - log.length + index));
  });
});
