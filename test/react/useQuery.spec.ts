/**
 * @jest-environment ./test/react/support/reactEnvironment.cjs
 */
// useQuery through the real react-dom against a real node:http server: StrictMode mounts fetch
// once and leak nothing, unmounting aborts the request, a key change shows the new key's state at once.
import { createElement } from 'react';
import { createClient, type QueryClient } from 'rxsync';
import { RxSyncProvider, useQuery } from 'rxsync/react';
import { json, startServer, type TestServer } from '../support/httpServer';
import { mount, texts, waitUntil } from './support/render';

interface Todo {
  readonly id: number;
  readonly title: string;
}

let server: TestServer;
let client: QueryClient;
let renders: string[];

beforeEach(async () => {
  server = await startServer();
  for (const id of [1, 2, 3]) server.route(`/todo/${id}`, (_req, res) => json(res, 200, { id, title: `todo ${id}` }));
  server.route('/slow', () => undefined); // never answers: the request stays open until aborted
  client = createClient({ defaults: { retry: 0 } });
  renders = [];
});
afterEach(() => server.close());

function TodoTitle({ id, name, path }: { id: number; name: string; path?: string }) {
  const state = useQuery<Todo>({
    key: ['todo', id],
    fetch: ({ signal }) => fetch(`${server.url}${path ?? `/todo/${id}`}`, { signal }).then((r) => r.json() as Promise<Todo>),
  });
  renders.push(`${name} ${id} ${state.status} ${state.data?.title ?? '-'}`);
  return createElement('p', { className: 'todo' }, state.data?.title ?? '…');
}

const app = (...children: ReturnType<typeof createElement>[]) => createElement(RxSyncProvider, { client }, ...children);
const observers = (): number => [...client.cache.all()].reduce((n, entry) => n + entry.observerCount, 0);

test('StrictMode: two components of one key fetch once, render synchronously first, leave no observer after unmount', async () => {
  const view = await mount(app(createElement(TodoTitle, { id: 1, name: 'a' }), createElement(TodoTitle, { id: 1, name: 'b' })), {
    strict: true,
  });
  expect(renders[0]).toBe('a 1 pending -'); // a state on the very first render, no undefined
  await waitUntil(() => texts(view.container, '.todo').join() === 'todo 1,todo 1', 'both show the data');
  expect(server.count('/todo/1')).toBe(1); // StrictMode's mount-unmount-mount did not refetch
  expect(server.requests.filter((r) => r.aborted)).toEqual([]); // nor abort the one request
  expect(observers()).toBe(2); // one subscription per mounted component, none left over from the double mount
  await view.unmount();
  expect(observers()).toBe(0);
});

test('unmounting aborts the running request; StrictMode remounting does not', async () => {
  const view = await mount(app(createElement(TodoTitle, { id: 1, name: 'slow', path: '/slow' })), { strict: true });
  await server.waitFor('/slow', 1);
  await waitUntil(() => renders.at(-1) === 'slow 1 pending -', 'rendered while fetching');
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(server.requests.map((r) => r.aborted)).toEqual([false]);
  await view.unmount();
  await waitUntil(() => server.requests[0]!.aborted, 'the server sees the request aborted');
  expect(server.count('/slow')).toBe(1);
  expect(observers()).toBe(0);
});

test('a key change renders the new key at once: its cached data, or pending without the old data', async () => {
  client.setData<Todo>(['todo', 2], { id: 2, title: 'todo 2 (cached)' });
  const view = await mount(app(createElement(TodoTitle, { id: 1, name: 't' })));
  await waitUntil(() => texts(view.container, '.todo').join() === 'todo 1', 'key 1 loaded');

  renders = [];
  await view.render(app(createElement(TodoTitle, { id: 2, name: 't' })));
  expect(renders[0]).toBe('t 2 success todo 2 (cached)'); // no render of key 2 with key 1's data

  renders = [];
  await view.render(app(createElement(TodoTitle, { id: 3, name: 't' })));
  expect(renders[0]).toBe('t 3 pending -');
  await waitUntil(() => texts(view.container, '.todo').join() === 'todo 3', 'key 3 loaded');
  expect(renders.every((r) => r.startsWith('t 3'))).toBe(true);
  expect(observers()).toBe(1); // the earlier keys' subscriptions were dropped
  await view.unmount();
  expect(observers()).toBe(0);
});
