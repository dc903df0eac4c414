import net from 'node:net';
import { answers, freePort, killServer, ServerProcess } from './redis-launch';

export { answers, freePort, killServer };

/**
 * A redis-server of this test's own, on its own port: the only Redis a test may stop (never the
 * shared one). With `dir`, `SAVE` writes a snapshot there and a restart loads it.
 */
export class RedisProcess extends ServerProcess {
  /** `extraArgs` (e.g. `--appendonly yes`) come after the defaults, so they win. */
  constructor(port: number, extraArgs: readonly string[] = []) {
    super(port, 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs]);
  }

  static async start(extraArgs: readonly string[] = []): Promise<RedisProcess> {
    const server = new RedisProcess(await freePort(), extraArgs);
    await server.start();
    return server;
  }
}

/**
 * A TCP relay in front of a server: `cut()` partitions the clients behind it (and only them) until
 * `restore()`; `hang()` keeps every connection open but carries nothing (a server that accepts and
 * never answers) until `resume()`, which delivers what was held.
 */
export class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  /** The relay's connections to the server: paused, the server's replies wait in the kernel. */
  private readonly upstreams = new Set<net.Socket>();
  private server: net.Server | undefined;
  private hung = false;

  private constructor(
    readonly port: number,
    private readonly target: number,
  ) {}

  static async start(target: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), target);
    await proxy.restore();
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restore(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target, '127.0.0.1');
      this.upstreams.add(upstream);
      upstream.on('close', () => this.upstreams.delete(upstream));
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
        // Paused sockets read nothing, so the bytes wait in the kernel until `resume()`.
        if (this.hung) socket.pause();
      }
      this.forward(client, upstream);
      this.forward(upstream, client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  /** As `pipe`, but a hung relay keeps the source paused. */
  private forward(from: net.Socket, to: net.Socket): void {
    from.on('data', (chunk) => {
      if (to.write(chunk)) return;
      from.pause();
      to.once('drain', () => {
        if (!this.hung) from.resume();
      });
    });
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  hang(): void {
    this.hung = true;
    for (const socket of this.sockets) socket.pause();
  }

  resume(): void {
    this.hung = false;
    for (const socket of this.sockets) socket.resume();
  }

  /** Commands still reach the server and run; their replies are held until `releaseReplies()`. */
  holdReplies(): void {
    for (const socket of this.upstreams) socket.pause();
  }

  releaseReplies(): void {
    for (const socket of this.upstreams) socket.resume();
  }
}
