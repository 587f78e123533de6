/**
 * @jest-environment jsdom
 */
// createQuery in a real Svelte 5 component (compiled by svelte/compiler, mounted in jsdom).
import { request } from 'node:http';
import { flushSync, mount, unmount } from 'svelte';
import { createClient } from '../../lib/query/client';
import { json, startServer, type TestServer } from '../support/httpServer';
import { isRxSyncError } from '../../lib/errors';
import FetchingQuery from './components/FetchingQuery.svelte';
import UserQuery from './components/UserQuery.svelte';
import WithClient from './components/WithClient.svelte';
import { until } from './support/hub';

/** GET through node:http (jsdom has no fetch), ended when `signal` aborts. */
function getJson<T>(url: string, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(JSON.parse(body) as T));
    });
    req.on('error', reject);
    signal.addEventListener('abort', () => req.destroy(new Error('aborted')), { once: true });
    req.end();
  });
}

describe('createQuery in a Svelte 5 component', () => {
  let server: TestServer;
  let target: HTMLElement;
  beforeEach(async () => {
    server = await startServer();
    target = document.body.appendChild(document.createElement('div'));
  });
  afterEach(async () => {
    target.remove();
    await server.close();
  });

  it('switches to a new key read from $state, showing its cached value in the same render', async () => {
    server.route('/user/1', (_req, res) => json(res, 200, 'Ann'));
    server.route('/user/3', (_req, res) => json(res, 200, 'Cid'));
    const client = createClient();
    client.setData(['user', 2], 'Bea');
    const renders: string[] = [];
    const app = mount(UserQuery, {
      target,
      props: {
        client,
        first: 1,
        load: (id: number, signal: AbortSignal) => getJson<string>(`${server.url}/user/${id}`, signal),
        rendered: (text: string) => renders.push(text),
      },
    }) as { show(id: number): void };
    flushSync();
    expect(target.textContent).toBe('1:pending:-');
    await until(() => target.textContent === '1:success:Ann', 'user 1 fetched');

    app.show(2);
    flushSync();
    // The cached value of the new key, with no pending state nor the old key's data in between.
    expect(target.textContent).toBe('2:success:Bea');
    expect(renders).toEqual(['1:pending:-', '1:success:Ann', '2:success:Bea']);
    expect(server.count('/user/2')).toBe(0); // fresh (staleTime): nothing fetched

    app.show(3);
    flushSync();
    expect(target.textContent).toBe('3:pending:-');
    await until(() => target.textContent === '3:success:Cid', 'user 3 fetched');
    expect(server.count('/user/1')).toBe(1);
    unmount(app);
  });

  it('aborts the running fetch when the key changes and when the component is destroyed', async () => {
    server.route('/user/1', () => {}); // never answers: the request stays open until the client leaves
    server.route('/user/3', () => {});
    const client = createClient();
    client.setData(['user', 2], 'Bea');
    const signals: AbortSignal[] = [];
    const app = mount(UserQuery, {
      target,
      props: {
        client,
        first: 1,
        load: (id: number, signal: AbortSignal) => (signals.push(signal), getJson<string>(`${server.url}/user/${id}`, signal)),
        rendered: () => {},
      },
    }) as { show(id: number): void };
    flushSync();
    await server.waitFor('/user/1', 1);
    expect(target.textContent).toBe('1:pending:-');
    expect(server.requests[0]!.aborted).toBe(false);

    // Another key: the old query loses its only subscriber, so its request is aborted.
    app.show(2);
    flushSync();
    expect(target.textContent).toBe('2:success:Bea');
    await until(() => server.requests[0]!.aborted, 'the server sees the first request aborted');

    app.show(3);
    flushSync();
    await server.waitFor('/user/3', 1);
    await unmount(app);
    // The subscription ends a microtask after the component's effects are destroyed.
    await until(() => server.requests[1]!.aborted, 'the server sees the request aborted');
    expect(signals.map((signal) => signal.aborted)).toEqual([true, true]);
    expect(target.textContent).toBe('');
  });

  it('a switch that starts a fetch shows in other components on that key too, after the read', async () => {
    const client = createClient();
    client.setData(['user', 1], 'Ann');
    client.setData(['user', 3], 'Cid');
    const load = (): Promise<string> => new Promise<string>(() => {});
    const other = document.body.appendChild(document.createElement('div'));
    const fresh = mount(FetchingQuery, { target: other, props: { client, first: 3, load, staleTime: 60_000 } });
    const eager = mount(FetchingQuery, { target, props: { client, first: 1, load, staleTime: 0 } }) as { show(id: number): void };
    flushSync();
    expect(other.textContent).toBe('3:success:idle');

    // Subscribing to key 3 (stale for this one) starts a fetch while its $derived computes: the
    // other component hears of it during that read, and Svelte forbids an update then.
    eager.show(3);
    flushSync();
    expect(target.textContent).toBe('3:success:fetching');
    await Promise.resolve();
    flushSync();
    expect(other.textContent).toBe('3:success:fetching');
    unmount(eager);
    unmount(fresh);
    other.remove();
  });

  it("takes the client from a parent's setClientContext, and names the problem when there is none", () => {
    const client = createClient();
    client.setData(['user', 1], 'Ann');
    const load = (): Promise<string> => Promise.resolve('fetched');
    const app = mount(WithClient, { target, props: { client, load } });
    flushSync();
    expect(target.textContent).toBe('1:success:Ann');
    unmount(app);

    let failure: unknown;
    try {
      mount(UserQuery, { target, props: { first: 1, load, rendered: () => {} } });
    } catch (error) {
      failure = error;
    }
    expect(isRxSyncError(failure, 'E_OPTION_INVALID')).toBe(true);
    expect((failure as Error).message).toMatch(/setClientContext/);
  });

  it('reports an invalid key as a coded error when read, as client.query does', async () => {
    const client = createClient();
    const { createQuery } = await import('../../svelte/index');
    const bad = createQuery(() => ({ key: [{ at: new Date(0) }], fetch: () => 'never' }), client);
    let failure: unknown;
    try {
      void bad.status;
    } catch (error) {
      failure = error;
    }
    expect(isRxSyncError(failure, 'E_KEY_INVALID')).toBe(true);
  });

  it('reads outside any effect as a one-off snapshot', async () => {
    const client = createClient();
    client.setData(['user', 7], 'Gus');
    const { createQuery } = await import('../../svelte/index');
    const user = createQuery(() => ({ key: ['user', 7], fetch: () => 'never', staleTime: 60_000 }), client);
    expect(user.status).toBe('success');
    expect(user.data).toBe('Gus');
  });
});
