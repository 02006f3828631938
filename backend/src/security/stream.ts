/**
 * Server-Sent Events of new events and decisions (https://html.spec.whatwg.org/multipage/server-sent-events.html).
 * Messages are serialized once per batch, whatever the number of clients. A client that reads slower than events
 * arrive is not allowed to grow this process's memory: past `maxBufferBytes` unsent, its messages are dropped and
 * counted, and it is told how many (`event: dropped`) once it catches up. Idle clients get a comment line so that
 * proxies keep the connection; all are ended when the server shuts down.
 */
import type { ServerResponse } from 'node:http';

export interface StreamMessage {
  /** SSE event name: `security-event`, `decision`, `unban`, `whitelist`. */
  event: string;
  data: unknown;
  /** Sent to every client; otherwise only to clients that asked for all events (`?all=true`). */
  relevant: boolean;
}

export interface StreamOptions {
  heartbeatMs: number;
  maxBufferBytes: number;
  maxClients: number;
}

interface Client {
  res: ServerResponse;
  all: boolean;
  dropped: number;
}

export class SecurityStream {
  private readonly clients = new Set<Client>();
  private nextId = 1;
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;
  /** Messages dropped for slow clients, all clients together. */
  droppedTotal = 0;

  constructor(private readonly options: StreamOptions) {
    this.heartbeat = setInterval(() => {
      for (const client of this.clients) this.send(client, ': keep-alive\n\n', 0);
    }, options.heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Whether a client asked for every event, routine ones included (worth building their messages). */
  get wantsAll(): boolean {
    for (const client of this.clients) if (client.all) return true;
    return false;
  }

  /** Whether a new client may attach (not shutting down, below maxClients). */
  get accepting(): boolean {
    return !this.closed && this.clients.size < this.options.maxClients;
  }

  /** Takes over a response whose headers the caller has not sent yet. */
  attach(res: ServerResponse, all: boolean): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx buffers responses unless told not to
      'x-accel-buffering': 'no',
    });
    const client: Client = { res, all, dropped: 0 };
    this.clients.add(client);
    res.on('close', () => this.clients.delete(client));
    res.write(`retry: 5000\n: connected${all ? ' (all events)' : ''}\n\n`);
  }

  publish(messages: readonly StreamMessage[]): void {
    if (this.clients.size === 0 || messages.length === 0) return;
    let relevant = '';
    let all = '';
    let relevantCount = 0;
    let allCount = 0;
    const needAll = this.wantsAll;
    for (const message of messages) {
      if (!message.relevant && !needAll) continue;
      const text = `id: ${this.nextId++}\nevent: ${message.event}\ndata: ${JSON.stringify(message.data)}\n\n`;
      if (needAll) {
        all += text;
        allCount++;
      }
      if (message.relevant) {
        relevant += text;
        relevantCount++;
      }
    }
    for (const client of this.clients) {
      if (client.all) this.send(client, all, allCount);
      else this.send(client, relevant, relevantCount);
    }
  }

  /** Ends every stream (server shutdown); later attach calls are refused by `accepting`. */
  close(): void {
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }

  /** Writes `count` messages (0: a comment) unless the client is too far behind. */
  private send(client: Client, text: string, count: number): void {
    const { res } = client;
    if (text === '' || res.writableEnded || res.destroyed) return;
    if (res.writableLength > this.options.maxBufferBytes) {
      client.dropped += count;
      this.droppedTotal += count;
      return;
    }
    if (client.dropped > 0) {
      res.write(`event: dropped\ndata: {"dropped":${client.dropped}}\n\n`);
      client.dropped = 0;
    }
    res.write(text);
  }
}
