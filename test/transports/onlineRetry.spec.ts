import { Subject, firstValueFrom, filter } from 'rxjs';
import WebSocket from 'ws';
import { webSocket, type WebSocketConstructor } from '../../transports/webSocket';
import { createTestServer, type TestServer } from './support/testServer';
import { freePort } from './support/wait';

describe('coming back online', () => {
  let server: TestServer;
  afterEach(() => server?.close());

  it('cuts a long reconnect wait short: the transport connects as soon as online$ says so', async () => {
    server = await createTestServer();
    const port = await freePort();
    const online$ = new Subject<boolean>();
    // A backoff of a minute: without the online signal the test would time out waiting for it.
    const transport = webSocket(`ws://127.0.0.1:${port}/ws`, {
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      reconnect: { initialDelay: 60_000, maxDelay: 60_000, jitter: 'none' },
      online$,
    });
    const sub = transport.messages$.subscribe();
    try {
      await firstValueFrom(transport.status$.pipe(filter((s) => s.state === 'reconnecting')));
      await server.listenWs(port); // the network is back
      online$.next(false); // going offline does nothing
      online$.next(true);
      const open = await firstValueFrom(transport.status$.pipe(filter((s) => s.state === 'open')));
      expect(open.connection).toBe(1);
    } finally {
      sub.unsubscribe();
    }
  });
});
