/**
 * @jest-environment jsdom
 */
// rxsync signals and query Observables are Svelte stores: `$store` in a compiled Svelte 5 component.
import { flushSync, mount, unmount } from 'svelte';
import { signal } from '../../lib/signals/index';
import { createClient } from '../../lib/query/client';
import Stores from './components/Stores.svelte';

it('renders signals, a derived signal and a query through $store, and follows their changes', async () => {
  const target = document.body.appendChild(document.createElement('div'));
  const count = signal(2);
  const doubled = count.select((n) => n * 2);
  const client = createClient();
  let answer: (list: string[]) => void = () => {};
  const todos = client.query({ key: ['todos'], fetch: () => new Promise<string[]>((resolve) => (answer = resolve)) });
  const app = mount(Stores, { target, props: { count, doubled, todos } });
  flushSync();
  expect(target.textContent).toBe('2 × 2 = 4; pending: ');
  count.set(5);
  flushSync();
  expect(target.textContent).toBe('5 × 2 = 10; pending: ');
  answer(['milk', 'eggs']);
  await new Promise((resolve) => setTimeout(resolve, 0));
  flushSync();
  expect(target.textContent).toBe('5 × 2 = 10; success: milk, eggs');
  client.setData<string[]>(['todos'], (list) => void list?.push('tea'));
  flushSync();
  expect(target.textContent).toBe('5 × 2 = 10; success: milk, eggs, tea');
  unmount(app);
  target.remove();
});
