import { TurnBatch } from '../../src/core/turn-batch';

/** A batch whose sends are recorded, answering each request with its length (or failing when told). */
function recordingBatch(maxWeight: number): { batch: TurnBatch<string[], number>; sent: string[][][]; failNext: () => void } {
  const sent: string[][][] = [];
  let fail = false;
  const batch = new TurnBatch<string[], number>({
    send: async (requests) => {
      sent.push([...requests]);
      if (fail) {
        fail = false;
        throw new Error('the command failed');
      }
      return requests.map((request) => request.length);
    },
    weightOf: (request) => request.length,
    maxWeight,
  });
  return { batch, sent, failNext: () => (fail = true) };
}

describe('TurnBatch', () => {
  it('sends the requests of one event-loop turn together, in order, and gives each its own reply', async () => {
    const { batch, sent } = recordingBatch(100);
    const replies = await Promise.all([batch.submit(['a']), batch.submit(['b', 'c']), batch.submit([])]);
    expect(replies).toEqual([1, 2, 0]);
    expect(sent).toEqual([[['a'], ['b', 'c'], []]]);
    // The next turn is another batch.
    expect(await batch.submit(['d'])).toBe(1);
    expect(sent).toHaveLength(2);
  });

  it('starts a new batch before one would exceed its weight; a request heavier than the bound goes alone', async () => {
    const { batch, sent } = recordingBatch(3);
    const replies = await Promise.all([
      batch.submit(['a', 'b']),
      batch.submit(['c']),
      batch.submit(['d', 'e']),
      batch.submit(['f', 'g', 'h', 'i']),
      batch.submit(['j']),
    ]);
    expect(replies).toEqual([2, 1, 2, 4, 1]);
    expect(sent).toEqual([[['a', 'b'], ['c']], [['d', 'e']], [['f', 'g', 'h', 'i']], [['j']]]);
  });

  it('sends a full batch at once, without waiting for the end of the turn', () => {
    const { batch, sent } = recordingBatch(2);
    void batch.submit(['a', 'b']);
    expect(sent).toEqual([]);
    void batch.submit(['c']);
    expect(sent).toEqual([[['a', 'b']]]);
  });

  it('refuses bounds that would strand requests or void the slot timer', () => {
    const options = { send: async () => [], weightOf: () => 1, maxWeight: 1 };
    for (const maxInFlight of [0, Number.NaN]) expect(() => new TurnBatch({ ...options, maxInFlight })).toThrow(RangeError);
    for (const slotHeldMs of [0, Number.POSITIVE_INFINITY, 2 ** 31]) {
      expect(() => new TurnBatch({ ...options, maxInFlight: 1, slotHeldMs })).toThrow(RangeError);
    }
  });

  it('fails every request of a failed batch with its error, and only those', async () => {
    const { batch, failNext } = recordingBatch(100);
    failNext();
    const failed = [batch.submit(['a']), batch.submit(['b'])];
    for (const request of failed) await expect(request).rejects.toThrow('the command failed');
    expect(await batch.submit(['c'])).toBe(1);
  });

  describe('with maxInFlight', () => {
    /** A batch of at most one command in flight, whose commands are answered (or failed) when the test says. */
    function heldBatch(maxWeight = 100, slotHeldMs = 60_000) {
      const sent: string[][] = [];
      const pending: { answer: () => void; fail: () => void }[] = [];
      let onSend = (): void => undefined;
      const batch = new TurnBatch<string, string>({
        send: (requests) =>
          new Promise((resolve, reject) => {
            sent.push([...requests]);
            onSend();
            pending.push({
              answer: () => resolve(requests.map((request) => request.toUpperCase())),
              fail: () => reject(new Error('lost')),
            });
          }),
        weightOf: () => 1,
        maxWeight,
        maxInFlight: 1,
        slotHeldMs,
      });
      const nextSend = () => new Promise<void>((resolve) => (onSend = resolve));
      return { batch, sent, pending, nextSend };
    }
    const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

    it('sends at once when idle, then gathers the turns that come while a batch is in flight into the next one', async () => {
      const { batch, sent, pending } = heldBatch();
      const first = batch.submit('a');
      await nextTurn();
      expect(sent).toEqual([['a']]);
      const later = [batch.submit('b')];
      await nextTurn();
      later.push(batch.submit('c'));
      await nextTurn();
      // Three turns, still one command in flight.
      expect(sent).toEqual([['a']]);
      pending[0]!.answer();
      expect(await first).toBe('A');
      await nextTurn();
      expect(sent).toEqual([['a'], ['b', 'c']]);
      pending[1]!.answer();
      expect(await Promise.all(later)).toEqual(['B', 'C']);
    });

    it('keeps the weight bound while gathering, and a failed batch frees its slot', async () => {
      const { batch, sent, pending } = heldBatch(2);
      const first = batch.submit('a');
      await nextTurn();
      const waiting = ['b', 'c', 'd'].map((request) => batch.submit(request));
      await nextTurn();
      pending[0]!.fail();
      await expect(first).rejects.toThrow('lost');
      await nextTurn();
      expect(sent).toEqual([['a'], ['b', 'c']]);
      pending[1]!.answer();
      expect(await Promise.all(waiting.slice(0, 2))).toEqual(['B', 'C']);
      await nextTurn();
      expect(sent).toEqual([['a'], ['b', 'c'], ['d']]);
      pending[2]!.answer();
      expect(await waiting[2]).toBe('D');
    });

    it('lets the next batch go when one holds its slot past slotHeldMs (a hung command holds only its own requests)', async () => {
      const { batch, sent, pending, nextSend } = heldBatch(100, 20);
      const hung = batch.submit('a');
      await nextTurn();
      const second = nextSend();
      const next = batch.submit('b');
      await second;
      // 'a' is still unanswered.
      expect(sent).toEqual([['a'], ['b']]);
      pending[1]!.answer();
      expect(await next).toBe('B');
      pending[0]!.answer();
      expect(await hung).toBe('A');
    });
  });
});
