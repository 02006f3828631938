/**
 * Sending the demo's requests: HTTP(S) with keep-alive, a timeout, and, when the backend listens on IPv4 loopback,
 * a source address per attacker (Linux routes all of 127.0.0.0/8 to the loopback interface), so the rate limiter and
 * the request log see each attacker as the distinct client it would be.
 */
import http from 'node:http';
import https from 'node:https';
import { isIPv4 } from 'node:net';
import type { Tokens } from '../auth/tokens';
import type { DemoRequest, Origin } from './scenarios';

const TIMEOUT_MS = 10_000;
/** A token no deployment has: its requests are answered 401. */
const INVALID_TOKEN = 'demo-invalid-token-0000000000000000000000000000';
const ORIGIN_ADDRESSES: Record<Exclude<Origin, 'client'>, string> = {
  'brute-force': '127.0.0.21',
  'admin-probe': '127.0.0.22',
  flood: '127.0.0.23',
};

export interface Answer {
  status: number;
  body: unknown;
  headers: http.IncomingHttpHeaders;
}

export class DemoClient {
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  /** Source addresses of the attackers, or none when the backend is not on IPv4 loopback (or they cannot bind). */
  private origins: boolean;

  constructor(
    readonly base: URL,
    private readonly tokens: Tokens
  ) {
    this.transport = base.protocol === 'https:' ? https : http;
    this.agent = new this.transport.Agent({ keepAlive: true, maxSockets: 32 });
    this.origins = isIPv4(base.hostname) && base.hostname.startsWith('127.');
  }

  /** Whether attackers send from their own loopback addresses. */
  get distinctOrigins(): boolean {
    return this.origins;
  }

  /** Checks that the attackers' source addresses can be bound (not on every system); falls back to one. */
  async probeOrigins(): Promise<void> {
    if (!this.origins) return;
    try {
      await this.raw('GET', '/health', {}, undefined, ORIGIN_ADDRESSES['brute-force']);
    } catch {
      this.origins = false;
    }
  }

  send(request: DemoRequest): Promise<Answer> {
    const headers: Record<string, string> = { 'user-agent': 'cartae-secops-demo' };
    if (request.credential === 'invalid') headers.authorization = `Bearer ${INVALID_TOKEN}`;
    else if (request.credential !== 'none') headers.authorization = `Bearer ${this.tokens[request.credential]}`;
    let payload: string | undefined;
    if (request.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(request.form).toString();
    } else if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(request.body);
    }
    const local = request.origin === 'client' || !this.origins ? undefined : ORIGIN_ADDRESSES[request.origin];
    return this.raw(request.method, request.path, headers, payload, local);
  }

  close(): void {
    this.agent.destroy();
  }

  private raw(
    method: string,
    path: string,
    headers: Record<string, string>,
    payload: string | undefined,
    localAddress: string | undefined
  ): Promise<Answer> {
    const url = new URL(path, this.base);
    return new Promise<Answer>((resolve, reject) => {
      const req = this.transport.request(
        url,
        {
          method,
          agent: this.agent,
          localAddress,
          timeout: TIMEOUT_MS,
          headers:
            payload === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(payload)) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            if ((res.headers['content-type'] ?? '').includes('json')) {
              try {
                body = JSON.parse(text);
              } catch {
                body = text;
              }
            }
            resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
          });
          res.on('error', reject);
        }
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}
