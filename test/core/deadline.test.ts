import { once } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';
import { DeadlineExceededError, withDeadline } from '../../src/core/deadline';

/** Blocks the event loop for `ms`, as a synchronous fsync or a burst of CPU work does. */
function stallEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Both ends of a loopback TCP connection: `peer` answers what `client` waits for. */
async function loopbackPair(): Promise<{ client: Socket; peer: Socket; close(): Promise<void> }> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
  const [[peer]] = await Promise.all([accepted, once(client, 'connect')]);
  return {
    client,
    peer,
    close: async () => {
      client.destroy();
      peer.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

describe('withDeadline', () => {
  it('resolves with a reply that arrived while the event loop stalled past the deadline', async () => {
    const { client, peer, close } = await loopbackPair();
    try {
      const reply = once(client, 'data').then(([chunk]) => String(chunk));
      const bounded = withDeadline(reply, 20, 'loopback reply');
      // On loopback the bytes are in the client's receive buffer once write() returns; the stall
      // then outlasts the deadline, so its timer and the reply are both due when the loop resumes.
      peer.write('pong');
      stallEventLoop(200);
      await expect(bounded).resolves.toBe('pong');
    } finally {
      await close();
    }
  });

  it('rejects with DEADLINE_EXCEEDED when no answer comes', async () => {
    const { client, close } = await loopbackPair();
    try {
      const reply = once(client, 'data');
      const failure = withDeadline(reply, 20, 'loopback reply').catch((error: unknown) => error);
      expect(await failure).toBeInstanceOf(DeadlineExceededError);
      expect(await failure).toMatchObject({ code: 'DEADLINE_EXCEEDED', label: 'loopback reply', ms: 20 });
    } finally {
      await close();
    }
  });
});
