// injectQuery / injectInfiniteQuery / provideRxSync in a real (DOM-less) Angular application,
// fetching from a real node:http server.
import { effect, signal } from '@angular/core';
import { createClient, createOutbox, memoryStorage, type QueryClient, type QueryState } from 'rxsync';
import { injectClient, injectInfiniteQuery, injectQuery, provideRxSync } from 'rxsync/angular';
import { startApp, startItemServer, until, type ItemServer, type TestApp } from './angularApp';

interface Item {
  readonly id: string;
  readonly n: number;
}

let server: ItemServer;
let app: TestApp | undefined;

beforeAll(async () => {
  server = await startItemServer();
});
afterAll(() => server.close());
afterEach(() => {
  app?.destroy();
  app = undefined;
});

const getItem = (path: string, signal: AbortSignal): Promise<Item> =>
  fetch(`${server.url}${path}`, { signal }).then((response) => response.json() as Promise<Item>);

async function appWith(create: () => QueryClient = () => createClient()): Promise<TestApp> {
  app = await startApp([provideRxSync(create)]);
  return app;
}

describe('provideRxSync and injectClient', () => {
  it('creates the client once per injector, lazily, and closes its outbox when the injector is destroyed', async () => {
    let created = 0;
    const outbox = createOutbox({ storage: memoryStorage() });
    const started = await appWith(() => {
      created++;
      return createClient({ outbox });
    });
    expect(created).toBe(0);
    const first = injectClient({ injector: started.child() });
    const second = injectClient({ injector: started.child() });
    expect(second).toBe(first);
    expect(created).toBe(1);
    await expect(first.outbox!.enqueue('x', 1)).resolves.toEqual(expect.objectContaining({ name: 'x' }));
    started.destroy();
    app = undefined;
    await expect(outbox.enqueue('x', 2)).rejects.toMatchObject({ code: 'E_OUTBOX_CLOSED' });
  });

  it('says what is missing when no provideRxSync is above the injector', async () => {
    const bare = await startApp([]);
    try {
      expect(() => injectClient({ injector: bare.child() })).toThrow(expect.objectContaining({ code: 'E_OPTION_INVALID' }));
    } finally {
      bare.destroy();
    }
  });
});

describe('injectQuery', () => {
  it('shows the state at once, then the fetched data', async () => {
    const started = await appWith();
    const query = injectQuery(() => ({ key: ['item', 'a'], fetch: ({ signal }) => getItem('/item/a', signal) }), {
      injector: started.child(),
    });
    expect(query()).toEqual(expect.objectContaining({ status: 'pending', isFetching: true }));
    await until(() => query().status === 'success', 'success');
    expect(query().data).toEqual({ id: 'a', n: 1 });
  });

  it('switches queries when a signal in its options changes, with the new key’s cached data synchronously', async () => {
    const started = await appWith();
    const client = injectClient({ injector: started.child() });
    client.setData<Item>(['item', 'cached'], { id: 'cached', n: 0 });
    const id = signal('b');
    const query = injectQuery(() => ({ key: ['item', id()], staleTime: 60_000, fetch: ({ signal }) => getItem(`/item/${id()}`, signal) }), {
      injector: started.child(),
    });
    await until(() => query().status === 'success', 'b fetched');
    expect(query().data).toEqual(expect.objectContaining({ id: 'b' }));

    id.set('cached');
    // No effect, no tick, no await: the read itself switched, and the cached entry answered.
    expect(query()).toEqual(expect.objectContaining({ status: 'success', data: { id: 'cached', n: 0 }, isStale: false }));

    id.set('c');
    expect(query()).toEqual(expect.objectContaining({ status: 'pending', data: undefined, isFetching: true }));
    await until(() => query().data?.id === 'c', 'c fetched');
    // Back to b: still cached and fresh, shown at once, no new request.
    const before = server.requests.length;
    id.set('b');
    expect(query()).toEqual(expect.objectContaining({ status: 'success', data: expect.objectContaining({ id: 'b' }) }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.requests.length).toBe(before);
  });

  it('destroying its injector unsubscribes and aborts the running fetch (the server sees the request closed)', async () => {
    const started = await appWith();
    const component = started.child();
    const query = injectQuery(() => ({ key: ['held', 'd'], retry: false, fetch: ({ signal }) => getItem('/item/d?hold', signal) }), {
      injector: component,
    });
    await until(() => server.requests.some((r) => r.url === '/item/d?hold'), 'the request reached the server');
    const request = server.requests.find((r) => r.url === '/item/d?hold')!;
    expect(query().isFetching).toBe(true);
    component.destroy();
    await request.aborted;
    expect(request.wasAborted).toBe(true);
    // The entry has no observer left: its state stopped at what it was, nothing fetches.
    const client = injectClient({ injector: started.child() });
    expect(client.getData(['held', 'd'])).toBeUndefined();
  });

  it('is read by a root effect in a zoneless application without any manual change detection', async () => {
    const started = await appWith();
    const component = started.child();
    const query = injectQuery(() => ({ key: ['item', 'e'], fetch: ({ signal }) => getItem('/item/e', signal) }), { injector: component });
    const seen: Array<QueryState<Item>['status']> = [];
    effect(() => void seen.push(query().status), { injector: component });
    // Angular's zoneless scheduler runs the effect; the fetch's answer marks it dirty again.
    await until(() => seen.includes('success'), 'the effect saw success');
    expect(seen[0]).toBe('pending');
    expect(seen.at(-1)).toBe('success');
  });

  it('throws an invalid query’s error from the read, as Angular’s computed does', async () => {
    const started = await appWith();
    const query = injectQuery(() => ({ key: [() => 1] as never, fetch: () => 1 }), { injector: started.child() });
    expect(() => query()).toThrow(expect.objectContaining({ code: 'E_KEY_INVALID' }));
  });
});

describe('injectInfiniteQuery', () => {
  it('loads the first page, then the next one on fetchNextPage', async () => {
    const started = await appWith();
    const feed = injectInfiniteQuery(
      () => ({
        key: ['pages'],
        initialPageParam: 1,
        fetch: ({ pageParam, signal }) => getItem(`/item/page${pageParam}`, signal),
        getNextPageParam: (_last: Item, pages: readonly Item[]) => (pages.length < 3 ? pages.length + 1 : undefined),
      }),
      { injector: started.child() },
    );
    expect(feed.state().status).toBe('pending');
    await until(() => feed.state().status === 'success', 'first page');
    expect(feed.state().data?.pages.map((p) => p.id)).toEqual(['page1']);
    expect(feed.state().hasNextPage).toBe(true);
    await feed.fetchNextPage();
    expect(feed.state().data?.pages.map((p) => p.id)).toEqual(['page1', 'page2']);
  });
});
