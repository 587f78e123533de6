/**
 * @jest-environment jsdom
 */
// createMutation in a real Svelte 5 component: the latest call's state, queued while offline
// (isPaused), and the handle disposed with the component.
import { flushSync, mount, unmount } from 'svelte';
import type { MutationOptions } from '../../lib/query/mutation';
import { createOnlineManager } from '../../lib/environment/onlineManager';
import { createOutbox } from '../../lib/outbox/outbox';
import { createClient } from '../../lib/query/client';
import { memoryStorage } from '../../lib/storage/memoryStorage';
import Mutate from './components/Mutate.svelte';
import { until } from './support/hub';

type MutateApp = { mutate(text: string): Promise<{ id: string }>; reset(): void };

function setup() {
  const online = createOnlineManager({ read: () => true, listen: () => () => {} });
  const outbox = createOutbox({ storage: memoryStorage(), online$: online.value$, retry: { initialDelay: 10, maxDelay: 50 } });
  const client = createClient({ outbox, online });
  const sent: Array<{ text: string; answer: (result: string) => void }> = [];
  const options: MutationOptions<string, string, string[]> = {
    name: 'shout',
    send: (text) => new Promise<string>((answer) => sent.push({ text, answer })),
  };
  return { online, outbox, client, sent, options };
}

describe('createMutation in a Svelte 5 component', () => {
  let target: HTMLElement;
  beforeEach(() => (target = document.body.appendChild(document.createElement('div'))));
  afterEach(() => target.remove());

  it('shows pending, queued and paused while offline, then success; reset goes back to idle', async () => {
    const { online, outbox, client, sent, options } = setup();
    const app = mount(Mutate, { target, props: { client, options } }) as MutateApp;
    flushSync();
    expect(target.textContent).toBe('idle - -');

    online.set(false);
    const queued = app.mutate('hi');
    flushSync();
    expect(target.textContent).toBe('pending hi -');
    await queued;
    flushSync();
    expect(target.textContent).toBe('queued paused hi -');
    expect(sent).toHaveLength(0);

    online.set(true);
    await until(() => sent.length === 1, 'the op sent once online');
    flushSync();
    expect(target.textContent).toBe('queued hi -');
    sent[0]!.answer('HI');
    await until(() => (flushSync(), target.textContent === 'success hi HI'), 'success shown');

    app.reset();
    flushSync();
    expect(target.textContent).toBe('idle - -');
    unmount(app);
    outbox.close();
  });

  it('disposes its handle when the component is destroyed: a queued op waits for another handle', async () => {
    const { online, outbox, client, sent, options } = setup();
    const app = mount(Mutate, { target, props: { client, options } }) as MutateApp;
    online.set(false);
    await app.mutate('later');
    await unmount(app);

    online.set(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sent).toHaveLength(0); // nobody sends ops of this name any more
    expect(outbox.pending$.get()).toBe(1); // still durable in the outbox

    const again = client.mutation(options);
    await until(() => sent.length === 1, 'sent by the new handle');
    expect(sent[0]!.text).toBe('later');
    sent[0]!.answer('LATER');
    await until(() => outbox.pending$.get() === 0, 'acknowledged');
    again.dispose();
    outbox.close();
  });
});
