// One suite, run unchanged against every transport (real servers on 127.0.0.1 where there is one).
import type { Subscription } from 'rxjs';
import { isRxSyncError } from '../../lib/errors';
import type { Transport } from '../../transports/transport';
import { harnesses, type Harness } from './support/harnesses';
import { firstN, statusWhere } from './support/wait';

describe.each(harnesses)('Transport conformance: %s', (_name, makeHarness) => {
  let harness: Harness;
  const subscriptions: Subscription[] = [];

  beforeEach(async () => {
    harness = await makeHarness();
  });
  afterEach(async () => {
    for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
    await harness.close();
  });

  const openClient = async (options = {}): Promise<{ client: Transport<unknown, unknown>; got: unknown[] }> => {
    const client = harness.client(options);
    const got: unknown[] = [];
    subscriptions.push(client.messages$.subscribe((message) => got.push(message)));
    await statusWhere(client, (s) => s.state === 'open');
    await harness.waitFor(() => harness.live() === 1, 'server sees the client');
    return { client, got };
  };

  it('delivers server messages in order', async () => {
    const client = harness.client();
    const received = firstN(client.messages$, 300);
    await statusWhere(client, (s) => s.state === 'open');
    await harness.waitFor(() => harness.live() === 1, 'server sees the client');
    for (let n = 0; n < 300; n++) harness.publish({ n });
    expect(await received).toEqual(Array.from({ length: 300 }, (_, n) => ({ n })));
  });

  it('sends client messages in order, including those sent before open', async () => {
    const client = harness.client();
    client.send({ early: 1 });
    subscriptions.push(client.messages$.subscribe());
    client.send({ early: 2 });
    await statusWhere(client, (s) => s.state === 'open');
    for (let n = 0; n < 100; n++) client.send({ n });
    await harness.waitFor(() => harness.received().length === 102, '102 messages at the server');
    expect(harness.received()).toEqual([{ early: 1 }, { early: 2 }, ...Array.from({ length: 100 }, (_, n) => ({ n }))]);
  });

  it('is cold and shared: connects on the first subscriber, closes after the last', async () => {
    const client = harness.client();
    expect(await statusWhere(client, () => true)).toMatchObject({ state: 'closed' });
    expect(harness.opened()).toBe(0);
    const first = client.messages$.subscribe();
    const second = client.messages$.subscribe();
    await statusWhere(client, (s) => s.state === 'open');
    await harness.waitFor(() => harness.live() === 1, 'one connection');
    first.unsubscribe();
    expect(await statusWhere(client, () => true)).toMatchObject({ state: 'open' });
    second.unsubscribe();
    await harness.waitFor(() => harness.live() === 0, 'server sees the connection closed');
    expect(harness.opened()).toBe(1);
    expect(await statusWhere(client, () => true)).toMatchObject({ state: 'closed' });
  });

  it('bounds the send buffer with an explicit overflow error, then flushes it on connect', async () => {
    const client = harness.client({ maxBuffered: 3 });
    client.send('a');
    client.send('b');
    client.send('c');
    let overflow: unknown;
    try {
      client.send('d');
    } catch (error) {
      overflow = error;
    }
    expect(isRxSyncError(overflow, 'E_SEND_OVERFLOW')).toBe(true);
    subscriptions.push(client.messages$.subscribe());
    await harness.waitFor(() => harness.received().length === 3, 'the buffered messages');
    expect(harness.received()).toEqual(['a', 'b', 'c']);
  });

  it.each([
    ['not JSON', '{"v":1,"type":'],
    ['an unknown type', '{"v":1,"type":"nonsense"}'],
    ['a bad seq', '{"v":1,"type":"data","seq":"7","data":1}'],
  ])('reports a malformed frame (%s) with E_FRAME_INVALID and stays connected', async (_what, raw) => {
    const { client, got } = await openClient();
    const reported = statusWhere(client, (s) => isRxSyncError(s.error, 'E_FRAME_INVALID'));
    harness.injectRaw(raw);
    const status = await reported;
    expect(status.state).toBe('open');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const next = firstN(client.messages$, 1);
    harness.publish('after');
    expect(await next).toEqual(['after']);
    expect(got).toEqual(['after']);
    expect(harness.opened()).toBe(1);
  });

  it('delivers reserved keys (__proto__, constructor) as plain data, polluting nothing', async () => {
    const { client, got } = await openClient();
    const next = firstN(client.messages$, 1);
    harness.injectRaw('{"v":1,"type":"data","data":{"__proto__":{"polluted":true},"constructor":{"prototype":1}}}');
    const [data] = (await next) as Array<Record<string, unknown>>;
    expect(Object.hasOwn(data!, '__proto__')).toBe(true);
    expect(data!['__proto__']).toEqual({ polluted: true });
    expect(data!['constructor']).toEqual({ prototype: 1 });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(got).toHaveLength(1);
  });
});
