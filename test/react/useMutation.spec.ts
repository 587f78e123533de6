/**
 * @jest-environment ./test/react/support/reactEnvironment.cjs
 */
// useMutation through the real react-dom against a real node:http server: offline the mutation is
// queued and paused, back online it is sent and succeeds; the handle is disposed on unmount.
import { act, createElement } from 'react';
import { createClient, createOnlineManager, createOutbox, memoryStorage } from 'rxsync';
import { RxSyncProvider, useMutation, type MutationResult } from 'rxsync/react';
import { json, startServer, type TestServer } from '../support/httpServer';
import { mount, waitUntil } from './support/render';

interface Todo {
  readonly title: string;
}

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
  server.route('/todos', (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => json(res, 201, { saved: (JSON.parse(body) as Todo).title }));
  });
});
afterEach(() => server.close());

test('offline: queued and paused; online: sent once and successful; unmount disposes the handle', async () => {
  const online = createOnlineManager();
  online.set(false);
  const outbox = createOutbox({ storage: memoryStorage(), online$: online.value$, retry: { initialDelay: 10, maxDelay: 50 } });
  const client = createClient({ outbox, online });
  let latest: MutationResult<Todo, { saved: string }> | undefined;
  const statuses: string[] = [];
  function AddTodo() {
    const add = useMutation({
      name: 'addTodo',
      send: (todo: Todo, { signal }) =>
        fetch(`${server.url}/todos`, { method: 'POST', body: JSON.stringify(todo), signal }).then(
          (r) => r.json() as Promise<{ saved: string }>,
        ),
    });
    latest = add;
    statuses.push(`${add.status}${add.isPaused ? ' paused' : ''}`);
    return createElement('p', null, add.status === 'success' ? `saved ${add.data.saved}` : add.status);
  }
  const view = await mount(createElement(RxSyncProvider, { client }, createElement(AddTodo)), { strict: true });
  expect(statuses[0]).toBe('idle');

  await act(async () => {
    await latest!.mutate({ title: 'milk' });
  });
  await waitUntil(() => latest!.status === 'queued', 'queued');
  expect(latest!.isPaused).toBe(true);
  expect(latest!.variables).toEqual({ title: 'milk' });
  expect(server.count('/todos')).toBe(0);
  expect(outbox.pending$.get()).toBe(1);

  await act(async () => online.set(true));
  await waitUntil(() => view.container.textContent === 'saved milk', 'success rendered');
  expect(server.count('/todos')).toBe(1);
  expect(statuses).toContain('queued paused');
  expect(latest!.isPaused).toBe(false);

  await act(async () => latest!.reset());
  expect(view.container.textContent).toBe('idle');

  const mutate = latest!.mutate;
  await view.unmount();
  await expect(mutate({ title: 'late' })).rejects.toMatchObject({ code: 'E_OPTION_INVALID' });
  await outbox.close();
});
