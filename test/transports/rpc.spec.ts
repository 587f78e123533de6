import { firstValueFrom, interval, lastValueFrom, map, merge, NEVER, Observable, take, toArray, type Subscription } from 'rxjs';
import WebSocket from 'ws';
import { isRxSyncError, RxSyncError } from '../../lib/errors';
import { memoryPair } from '../../transports/memoryPair';
import { rpc, type RpcClient } from '../../transports/rpc';
import { serveRpc, type RpcHandler } from '../../transports/rpcServer';
import { webSocket } from '../../transports/webSocket';
import { seededRandom } from '../support/fc';
import { createTestServer, type TestServer } from './support/testServer';
import { waitForChange } from './support/wait';

const CONCURRENT_CALLS = Number(process.env['RPC_CALLS'] ?? (process.env['DEEP'] ? 10_000 : 1000));

/** Handlers shared by both set-ups; `started`/`cancelled` let tests wait on what the server saw. */
function makeHandlers(log: { started: string[]; cancelled: string[]; changed(): void }): Record<string, RpcHandler> {
  const random = seededRandom();
  return {
    double: (n) => new Promise((resolve) => setTimeout(() => resolve(Number(n) * 2), Math.floor(random() * 20))),
    count: (n) =>
      interval(1).pipe(
        take(Number(n)),
        map((i) => i + 1),
      ),
    fail: () => {
      throw new RxSyncError('E_NOT_ALLOWED', 'nope');
    },
    never: (_params, context) => {
      log.started.push(context.id);
      log.changed();
      context.signal.addEventListener('abort', () => {
        log.cancelled.push(context.id);
        log.changed();
      });
      return NEVER;
    },
  };
}

describe('rpc over a real WebSocket server', () => {
  let server: TestServer;
  let client: RpcClient;
  const log = { started: [] as string[], cancelled: [] as string[], changed: () => undefined as void };
  const keepAlive: Subscription[] = [];

  beforeEach(async () => {
    log.started = [];
    log.cancelled = [];
    server = await createTestServer();
    log.changed = () => void server.events.emit('change');
    const handlers = makeHandlers(log);
    server.onConnection((connection) => void serveRpc(connection, handlers));
    client = rpc(webSocket(server.urls.ws, { WebSocket, reconnect: { initialDelay: 10, maxDelay: 100 } }), { timeout: 10_000 });
  });
  afterEach(async () => {
    for (const subscription of keepAlive.splice(0)) subscription.unsubscribe();
    await server.close();
  });

  it('answers a call, streams a result, and reports the server error code', async () => {
    expect(await firstValueFrom(client.call('double', 21))).toBe(42);
    expect(await lastValueFrom(client.call('count', 4).pipe(toArray()))).toEqual([1, 2, 3, 4]);
    await expect(firstValueFrom(client.call('fail'))).rejects.toMatchObject({ code: 'E_NOT_ALLOWED', message: 'nope' });
    await expect(firstValueFrom(client.call('nope'))).rejects.toMatchObject({ code: 'E_RPC_NO_METHOD' });
    await expect(firstValueFrom(client.call('constructor'))).rejects.toMatchObject({ code: 'E_RPC_NO_METHOD' });
    expect(client.pending).toBe(0);
  });

  it(`answers ${CONCURRENT_CALLS} concurrent calls, each with its own result`, async () => {
    const calls = Array.from({ length: CONCURRENT_CALLS }, (_, n) => client.call<number>('double', n).pipe(map((r) => [n, r] as const)));
    const results = await lastValueFrom(merge(...calls).pipe(toArray()));
    expect(results).toHaveLength(CONCURRENT_CALLS);
    for (const [n, r] of results) expect(r).toBe(n * 2);
    expect(client.pending).toBe(0);
  });

  it('times out with E_RPC_TIMEOUT and the cancel reaches the server', async () => {
    const outcome = firstValueFrom(client.call('never', undefined, { timeout: 100 })).catch((e: unknown) => e);
    await server.waitFor(() => log.started.length === 1, 'the call started');
    expect(await outcome).toMatchObject({ code: 'E_RPC_TIMEOUT' });
    await server.waitFor(() => log.cancelled.length === 1, 'the server saw the cancel');
    expect(log.cancelled).toEqual(log.started);
  });

  it('unsubscribing cancels on the server', async () => {
    const subscription = client.call('never').subscribe();
    await server.waitFor(() => log.started.length === 1, 'the call started');
    subscription.unsubscribe();
    await server.waitFor(() => log.cancelled.length === 1, 'the server saw the cancel');
  });

  it('an AbortSignal fails the call with E_ABORTED and cancels on the server', async () => {
    // Keep the connection up after the call ends so the cancel has a way to the server.
    keepAlive.push(client.call('never').subscribe({ error: () => undefined }));
    const controller = new AbortController();
    const outcome = firstValueFrom(client.call('never', undefined, { signal: controller.signal })).catch((e: unknown) => e);
    await server.waitFor(() => log.started.length === 2, 'both calls started');
    controller.abort();
    expect(await outcome).toMatchObject({ code: 'E_ABORTED' });
    await server.waitFor(() => log.cancelled.length === 1, 'the server saw the cancel');
  });

  it('fails pending calls with E_RPC_CLOSED when the connection closes, and works again after reconnecting', async () => {
    const outcomes = [1, 2, 3].map(() => firstValueFrom(client.call('never')).catch((e: unknown) => e));
    await server.waitFor(() => log.started.length === 3, 'the calls started');
    server.dropAll();
    for (const outcome of outcomes) {
      const error = await outcome;
      expect(isRxSyncError(error, 'E_RPC_CLOSED')).toBe(true);
      expect((error as Error).message).toMatch(/connection closed/);
    }
    expect(client.pending).toBe(0);
    expect(await firstValueFrom(client.call('double', 5))).toBe(10);
  });

  it('bounds pending calls with E_RPC_OVERFLOW', async () => {
    const bounded = rpc(webSocket(server.urls.ws, { WebSocket }), { maxPending: 2 });
    keepAlive.push(bounded.call('never').subscribe(), bounded.call('never').subscribe());
    await expect(firstValueFrom(bounded.call('double', 1))).rejects.toMatchObject({ code: 'E_RPC_OVERFLOW' });
    expect(bounded.pending).toBe(2);
  });
});

describe('rpc over memoryPair', () => {
  it('calls, streams and cancels through the in-memory pair', async () => {
    const [clientEnd, serverEnd] = memoryPair();
    const events = new (await import('node:events')).EventEmitter();
    const log = { started: [] as string[], cancelled: [] as string[], changed: () => void events.emit('change') };
    const serving = serveRpc(serverEnd, makeHandlers(log));
    const client = rpc(clientEnd);
    expect(await firstValueFrom(client.call('double', 4))).toBe(8);
    expect(await lastValueFrom(client.call('count', 3).pipe(toArray()))).toEqual([1, 2, 3]);
    const keep = client.call('double', 0).subscribe(); // keeps the pair connected while we cancel
    const subscription = client.call('never').subscribe();
    await waitForChange(events, () => log.started.length === 1, 'the call started');
    subscription.unsubscribe();
    await waitForChange(events, () => log.cancelled.length === 1, 'the cancel arrived');
    keep.unsubscribe();
    serving.unsubscribe();
  });

  it('a handler observable is unsubscribed when the caller cancels', async () => {
    const [clientEnd, serverEnd] = memoryPair();
    let teardowns = 0;
    const events = new (await import('node:events')).EventEmitter();
    const serving = serveRpc(serverEnd, {
      endless: () =>
        new Observable<number>((subscriber) => {
          subscriber.next(1);
          return () => {
            teardowns++;
            events.emit('change');
          };
        }),
    });
    const client = rpc(clientEnd);
    const first = await firstValueFrom(client.call<number>('endless')); // takes one item, then unsubscribes
    expect(first).toBe(1);
    // The unsubscribe that ended the call sent the cancel before the pair disconnected.
    await waitForChange(events, () => teardowns === 1, 'the handler was torn down');
    serving.unsubscribe();
  });
});
