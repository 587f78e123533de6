import { connect, type Socket } from 'node:net';
import { createHub } from '../../server/hub.js';
import { memoryLog } from '../../server/memoryLog.js';
import { startHub, type StartedHub } from './fixtures/hubFixture.js';
import { sseClient } from './fixtures/rawClients.js';
import { waitForChange } from '../transports/support/wait.js';
import { EventEmitter } from 'node:events';

/** A raw TCP socket to the hub that records what came back and whether it was closed. */
interface SlowSocket {
  readonly socket: Socket;
  received: string;
  closed: boolean;
}

function openSlow(port: number, events: EventEmitter, firstBytes: string): Promise<SlowSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const slow: SlowSocket = { socket, received: '', closed: false };
    socket.on('data', (chunk) => (slow.received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      slow.closed = true;
      events.emit('change');
    });
    socket.once('connect', () => {
      socket.write(firstBytes);
      resolve(slow);
    });
    socket.once('error', reject);
  });
}

describe('hub timeouts', () => {
  let started: StartedHub | undefined;
  afterEach(async () => {
    await started?.hub.close();
    started = undefined;
  });

  it('closes 300 slowloris sockets (half-sent headers, half-sent bodies) with the header and request timeouts', async () => {
    started = await startHub({ limits: { headersTimeout: 300, requestTimeout: 600, keepAliveTimeout: 300 } });
    const port = Number(new URL(started.url).port);
    const events = new EventEmitter();
    events.setMaxListeners(0);
    const sockets: SlowSocket[] = [];
    for (let i = 0; i < 300; i++) {
      // Two thirds never finish their headers; the rest send headers promising a body that never comes.
      const bytes =
        i % 3 === 2
          ? `POST /send?cid=slow-${i} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{"v":1,`
          : `GET /poll?cid=slow-${i}&since=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `;
      sockets.push(await openSlow(port, events, bytes));
    }
    await waitForChange(events, () => sockets.every((s) => s.closed), 'every slow socket closed by the hub', 15_000);
    // Each was told why before being closed.
    expect(sockets.filter((s) => s.received.startsWith('HTTP/1.1 408')).length).toBe(300);
    // The hub still answers everyone else.
    expect((await fetch(`${started.url}/metrics`)).status).toBe(200);
  }, 30_000);

  it('applies node:http timeouts from limits, in seconds by default', () => {
    const hub = createHub({ log: memoryLog() });
    expect(hub.server.headersTimeout).toBe(10_000);
    expect(hub.server.requestTimeout).toBe(30_000);
    expect(hub.server.keepAliveTimeout).toBe(5000);
    const tuned = createHub({ log: memoryLog(), limits: { headersTimeout: 2000, requestTimeout: 4000, keepAliveTimeout: 1000 } });
    expect([tuned.server.headersTimeout, tuned.server.requestTimeout, tuned.server.keepAliveTimeout]).toEqual([2000, 4000, 1000]);
    expect(() => createHub({ log: memoryLog(), limits: { headersTimeout: 5000, requestTimeout: 1000 } })).toThrow(
      expect.objectContaining({ code: 'E_OPTION_INVALID' }),
    );
  });

  it('ends an SSE stream that sends no hello within helloTimeout (E_HELLO_TIMEOUT)', async () => {
    started = await startHub({ limits: { helloTimeout: 200 } });
    const client = await sseClient(started.url);
    await client.waitFor(() => client.ended !== undefined, 'the stream ended by the hub');
    expect(client.errors().map((e) => e.code)).toEqual(['E_HELLO_TIMEOUT']);
    // The session is gone: its cid is unknown now.
    const late = await fetch(`${started.url}/send?cid=${client.cid}`, { method: 'POST', body: JSON.stringify({ v: 1, type: 'ping' }) });
    expect(late.status).toBe(404);
  });

  it('answers a polling hello that is not decided within helloTimeout with 408 E_HELLO_TIMEOUT', async () => {
    // An authenticate that never answers: the hello must not hang the session (or the POST) forever.
    started = await startHub({ limits: { helloTimeout: 200 }, authenticate: () => new Promise(() => undefined) });
    const response = await fetch(`${started.url}/send?cid=poll-hello-timeout`, {
      method: 'POST',
      body: JSON.stringify({ v: 1, type: 'hello', lastSeq: 0, room: 'r', token: 't' }),
    });
    expect(response.status).toBe(408);
    expect(JSON.parse(await response.text())).toEqual(expect.objectContaining({ code: 'E_HELLO_TIMEOUT' }));
  });
});
