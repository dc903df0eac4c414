import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REST } from '@discordjs/rest';

export interface PostedMessage {
  channelId: string;
  authorization: string | undefined;
  body: { embeds: { title: string; description: string; fields: { name: string; value: string }[]; timestamp: string }[] };
}

/** A scripted answer: status, JSON body and headers (e.g. a 429 with `Retry-After`). */
export interface StubAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A local stand-in for Discord's REST API: records the messages posted, or fails them on demand. */
export class DiscordStub {
  readonly posts: PostedMessage[] = [];
  /** When each post request arrived (Date.now()), answered or not. */
  readonly requestTimes: number[] = [];
  /** Answered, one each, to the next posts before anything else. */
  readonly answers: StubAnswer[] = [];
  /** Answer this status (instead of 200) to every post while set. */
  failWith: number | undefined;
  /** The JSON body of those failures. */
  failBody: unknown = { message: 'simulated failure', code: 0 };
  failures = 0;
  private server: Server | undefined;
  private nextId = 1n;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      void readBody(request).then((body) => {
        const match = /^\/api\/v10\/channels\/(\d+)\/messages$/.exec(request.url ?? '');
        if (request.method !== 'POST' || !match) {
          response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"404: Not Found","code":0}');
          return;
        }
        this.requestTimes.push(Date.now());
        const answer = this.answers.shift() ?? (this.failWith === undefined ? undefined : { status: this.failWith, body: this.failBody });
        if (answer) {
          this.failures += 1;
          response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify(answer.body));
          return;
        }
        this.posts.push({
          channelId: match[1] ?? '',
          authorization: request.headers.authorization,
          body: JSON.parse(body) as PostedMessage['body'],
        });
        this.nextId += 1n;
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ id: String(900000000000000000n + this.nextId) }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  /** Every embed titled `title` across the posts (the worker posts up to 10 embeds a message), with its post. */
  embedsTitled(title: string): { post: PostedMessage; embed: PostedMessage['body']['embeds'][number] }[] {
    return this.posts.flatMap((post) => post.body.embeds.filter((embed) => embed.title === title).map((embed) => ({ post, embed })));
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/api`;
  }

  /** A REST client on this stub, as the worker builds it from DISCORD_API_URL. */
  rest(token = 'test-token'): REST {
    return new REST({ api: this.apiUrl, retries: 0, timeout: 5000 }).setToken(token);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
