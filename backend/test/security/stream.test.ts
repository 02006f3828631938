import type { AddressInfo } from 'node:net';
import { testDatabases } from '../helpers';
import { ev, post, securityApp, viewer } from './support';

/** Reads a streamed body until `until` holds for what was read so far (or the stream ends); fails after 10 s. */
async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, until: (text: string) => boolean) {
  const decoder = new TextDecoder();
  const deadline = Date.now() + 10_000;
  let text = '';
  while (!until(text)) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`stream: nothing more after ${JSON.stringify(text)}`)),
        deadline - Date.now()
      );
    });
    const { value, done } = await Promise.race([reader.read(), timeout]).finally(() => clearTimeout(timer));
    if (done) return { text, done: true };
    text += decoder.decode(value, { stream: true });
  }
  return { text, done: false };
}

describe.each(testDatabases)('GET /api/security/stream on $name', ({ open }) => {
  test('streams relevant events and decisions, keeps idle clients alive, and ends on shutdown', async () => {
    const t = await securityApp({ db: await open(), security: { stream: { heartbeatMs: 1000 } } });
    let closed = false;
    try {
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = t.app.server.address() as AddressInfo;
      const denied = await fetch(`http://127.0.0.1:${port}/api/security/stream`);
      expect(denied.status).toBe(401);
      const res = await fetch(`http://127.0.0.1:${port}/api/security/stream`, { headers: viewer });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      await readUntil(reader, (text) => text.includes(': connected'));

      await post(t, [
        ev('192.0.2.5', 'http.request', { status: 200 }),
        ev('192.0.2.5'),
        ev('192.0.2.5'),
        ev('192.0.2.5'),
      ]);
      const { text } = await readUntil(reader, (s) => s.includes('event: decision'));
      const events = text.split('\n\n').filter((block) => block.includes('event: security-event'));
      expect(events).toHaveLength(3); // the routine request is not streamed without ?all=true
      expect(text).toMatch(/event: decision\ndata: \{"banId":"[0-9a-f-]+","action":"ban","ip":"192.0.2.5"/);

      expect((await readUntil(reader, (s) => s.includes(': keep-alive'))).done).toBe(false);

      const closing = t.app.close().then(() => (closed = true));
      expect((await readUntil(reader, () => false)).done).toBe(true);
      await closing;
    } finally {
      if (!closed) await t.app.close();
      await t.db.close();
    }
  }, 90_000); // an embedded database starts slowly on a loaded machine
});
