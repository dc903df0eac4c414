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

  it('fails every request of a failed batch with its error, and only those', async () => {
    const { batch, failNext } = recordingBatch(100);
    failNext();
    const failed = [batch.submit(['a']), batch.submit(['b'])];
    for (const request of failed) await expect(request).rejects.toThrow('the command failed');
    expect(await batch.submit(['c'])).toBe(1);
  });
});
