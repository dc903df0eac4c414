import WebSocket from 'ws';

export interface Frame {
  op: number;
  d: unknown;
  s: number | null;
  t: string | null;
}

/** A bare gateway client for protocol-level tests: records every frame and the close code. */
export class GatewayTestClient {
  readonly frames: Frame[] = [];
  closeCode: number | null = null;
  private readonly waiters = new Set<() => void>();
  private heartbeat: NodeJS.Timeout | null = null;

  private constructor(
    private readonly socket: WebSocket,
    heartbeats: boolean,
  ) {
    socket.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as Frame;
      this.frames.push(frame);
      // Heartbeat like a real client (the gateway closes silent ones), unless the test wants silence.
      if (frame.op === 10 && heartbeats) {
        const { heartbeat_interval: interval } = frame.d as { heartbeat_interval: number };
        this.heartbeat = setInterval(() => this.send(1, this.lastSequence()), interval);
      }
      this.waiters.forEach((wake) => wake());
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.waiters.forEach((wake) => wake());
    });
  }

  static async connect(url: string, options: { heartbeats?: boolean } = {}): Promise<GatewayTestClient> {
    const socket = new WebSocket(`${url}?v=10&encoding=json`);
    const client = new GatewayTestClient(socket, options.heartbeats ?? true);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    await client.waitFor(() => client.frames.find((frame) => frame.op === 10));
    return client;
  }

  lastSequence(): number | null {
    return this.frames.reduce<number | null>((last, frame) => frame.s ?? last, null);
  }

  send(op: number, d: unknown): void {
    this.socket.send(JSON.stringify({ op, d }));
  }

  async identify(token: string, shard: [number, number]): Promise<Frame> {
    this.send(2, { token, intents: 1, properties: { os: 'linux', browser: 'test', device: 'test' }, shard });
    return this.waitForDispatch('READY');
  }

  waitForDispatch(t: string, match: (d: unknown) => boolean = () => true): Promise<Frame> {
    return this.waitFor(() => this.frames.find((frame) => frame.op === 0 && frame.t === t && match(frame.d)));
  }

  waitForClose(): Promise<number> {
    return this.waitFor(() => this.closeCode ?? undefined);
  }

  /** Resolves when `check` returns a value; fails after `timeoutMs` with what was received. */
  waitFor<T>(check: () => T | undefined, timeoutMs = 5000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const wake = (): void => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(
          new Error(
            `gateway wait timed out; frames: ${JSON.stringify(this.frames.map((frame) => [frame.op, frame.t]))}, close: ${this.closeCode}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(wake);
      wake();
    });
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.socket.terminate();
  }
}
