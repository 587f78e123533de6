// injectMutation in a real (DOM-less) Angular application: state as signals through offline,
// queued and acked, with an optimistic change and the op delivered to a real node:http server.
import { effect } from '@angular/core';
import { createClient, createOnlineManager, createOutbox, memoryStorage, type EnvironmentFlag, type Outbox } from 'rxsync';
import { injectClient, injectMutation, provideRxSync, type InjectedMutation } from 'rxsync/angular';
import { startApp, startItemServer, until, type ItemServer, type TestApp } from './angularApp';

interface Item {
  readonly id: string;
  readonly n: number;
}

let server: ItemServer;
let app: TestApp | undefined;
let online: EnvironmentFlag;
let outbox: Outbox;

beforeAll(async () => {
  server = await startItemServer();
});
afterAll(() => server.close());
beforeEach(async () => {
  online = createOnlineManager({ read: () => true, listen: () => () => undefined });
  outbox = createOutbox({ storage: memoryStorage(), online$: online.value$, retry: { initialDelay: 10, maxDelay: 50 } });
  app = await startApp([provideRxSync(() => createClient({ outbox, online }))]);
});
afterEach(() => app?.destroy());

function addItem(injector = app!.child()): InjectedMutation<string, Item> {
  return injectMutation(
    () => ({
      name: 'add-item',
      send: (id: string, { signal }) =>
        fetch(`${server.url}/item/${id}`, { method: 'POST', signal }).then((r) => r.json() as Promise<Item>),
      optimistic: { key: ['items'], update: (items: string[], id: string) => void items.push(id) },
    }),
    { injector },
  );
}

it('is idle, then pending, queued and paused while offline, then success once back online', async () => {
  const component = app!.child();
  const client = injectClient({ injector: component });
  client.setData<string[]>(['items'], []);
  const add = addItem(component);
  const statuses: string[] = [];
  effect(() => void statuses.push(`${add.status()}${add.isPaused() ? ' (paused)' : ''}`), { injector: component });
  expect(add.status()).toBe('idle');
  expect(add.variables()).toBeUndefined();

  online.set(false);
  const queued = add.mutate('offline-1');
  expect(add.status()).toBe('pending');
  expect(add.variables()).toBe('offline-1');
  expect(client.getData(['items'])).toEqual(['offline-1']); // optimistic, at once
  await queued;
  expect(add.state()).toEqual(expect.objectContaining({ status: 'queued', isPaused: true }));
  await until(() => statuses.includes('queued (paused)'), 'the effect saw queued offline');
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(server.requests.some((r) => r.url === '/item/offline-1')).toBe(false); // nothing sent while offline

  online.set(true);
  await until(() => add.status() === 'success', 'success');
  expect(add.data()).toEqual({ id: 'offline-1', n: 1 });
  expect(add.error()).toBeNull();
  expect(client.getData(['items'])).toEqual(['offline-1']);
  await until(() => statuses.at(-1) === 'success', 'the effect saw success');
  add.reset();
  expect(add.status()).toBe('idle');
});

it('keeps an op queued by a destroyed component: another handle of the same name sends it', async () => {
  const first = app!.child();
  const add = addItem(first);
  online.set(false);
  await add.mutate('kept');
  first.destroy();
  expect(outbox.pendingOps().map((op) => op.payload)).toEqual(['kept']);
  addItem(app!.child());
  online.set(true);
  await until(() => server.requests.some((r) => r.url === '/item/kept'), 'the op reached the server');
  await outbox.drained();
  expect(outbox.pendingOps()).toEqual([]);
});
