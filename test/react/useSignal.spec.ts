/**
 * @jest-environment ./test/react/support/reactEnvironment.cjs
 */
// useSignal through the real react-dom: one consistent value per concurrent render (no tearing),
// one subscription per component under StrictMode and none after unmount, the same snapshot
// object while nothing changed.
import { act, Component, createElement, startTransition, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { Observable } from 'rxjs';
import { signal, type ReadonlySignal } from 'rxsync';
import { useSignal } from 'rxsync/react';
import { mount, texts } from './support/render';

/** The signal as an Observable that counts its live subscriptions. */
function counted<T>(source: ReadonlySignal<T>) {
  const counts = { active: 0, total: 0 };
  const observable = new Observable<T>((subscriber) => {
    counts.active++;
    counts.total++;
    const inner = source.subscribe(subscriber);
    return () => {
      counts.active--;
      inner.unsubscribe();
    };
  });
  return { observable, counts };
}

test('a concurrent render that the store changes in the middle of commits one value everywhere', async () => {
  const store = signal(0);
  let changeAt: number | undefined;
  function Reader({ index, round }: { index: number; round: number }) {
    const value = useSignal(store);
    if (index === changeAt) {
      changeAt = undefined;
      store.set(store.get() + 1); // an external write while React is half-way through the tree
    }
    return createElement('i', null, `${round}:${value}`);
  }
  const tree = (round: number) =>
    createElement('div', null, ...[0, 1, 2, 3, 4].map((index) => createElement(Reader, { key: index, index, round })));
  const container = document.createElement('div');
  const root = createRoot(container);

  changeAt = 2; // mounting
  await act(async () => startTransition(() => root.render(tree(1))));
  expect(texts(container, 'i')).toEqual(['1:1', '1:1', '1:1', '1:1', '1:1']);

  // Updating: the components now listen, so React reports the write made while rendering (it is
  // deliberate here) and renders the tree again with the new value.
  const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  changeAt = 3;
  await act(async () => startTransition(() => root.render(tree(2))));
  expect(texts(container, 'i')).toEqual(['2:2', '2:2', '2:2', '2:2', '2:2']);
  for (const [message] of logged.mock.calls)
    expect(String(message)).toMatch(/Cannot update a component .* while rendering a different component/);
  logged.mockRestore();
  await act(async () => root.unmount());
});

test('StrictMode: one subscription per component while mounted, none after unmount', async () => {
  const count = signal(1);
  const { observable, counts } = counted(count);
  function Count() {
    return createElement('b', null, String(useSignal(observable)));
  }
  const view = await mount(createElement('div', null, createElement(Count), createElement(Count)), { strict: true });
  expect(texts(view.container, 'b')).toEqual(['1', '1']);
  expect(counts.active).toBe(2);
  await act(async () => count.set(2));
  expect(texts(view.container, 'b')).toEqual(['2', '2']);
  await view.unmount();
  expect(counts.active).toBe(0);
  expect(counts.total).toBeLessThanOrEqual(4); // at most one thrown-away render's subscription each
});

test('re-renders only on change and hands React the same snapshot object meanwhile', async () => {
  const todo = signal({ title: 'write docs', done: false });
  const title = todo.select((t) => ({ upper: t.title.toUpperCase() })); // a new object per computation
  const seen: object[] = [];
  let bump: () => void = () => undefined;
  function Title() {
    const [, setTick] = useState(0);
    bump = () => setTick((n) => n + 1);
    const value = useSignal(title);
    seen.push(value);
    return createElement('h1', null, value.upper);
  }
  const view = await mount(createElement(Title));
  await act(async () => bump()); // the parent state changes; the signal did not
  await act(async () => todo.set(todo.get())); // an equal value: no notification
  expect(seen.length).toBe(2);
  expect(seen[1]).toBe(seen[0]);
  await act(async () => todo.update((t) => void (t.title = 'ship')));
  expect(view.container.textContent).toBe('SHIP');
  expect(seen.length).toBe(3);
  await view.unmount();
});

test('a source that has no current value is refused with a coded error, for an error boundary', async () => {
  function Bad() {
    useSignal(new Observable<number>(() => undefined));
    return null;
  }
  const caught: unknown[] = [];
  class Boundary extends Component<{ children: ReactNode }, { failed: boolean }> {
    override state = { failed: false };
    static getDerivedStateFromError(): { failed: boolean } {
      return { failed: true };
    }
    override componentDidCatch(error: unknown): void {
      caught.push(error);
    }
    override render(): ReactNode {
      return this.state.failed ? 'failed' : this.props.children;
    }
  }
  const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const view = await mount(createElement(Boundary, null, createElement(Bad)));
  logged.mockRestore();
  expect(view.container.textContent).toBe('failed');
  expect(caught).toEqual([expect.objectContaining({ code: 'E_OPTION_INVALID' })]);
  await view.unmount();
});

test('a render React never commits (here: server rendering) drops its subscription after the grace period', () => {
  jest.useFakeTimers();
  try {
    const { observable, counts } = counted(signal('hello'));
    function Greeting() {
      return createElement('p', null, useSignal(observable));
    }
    expect(renderToString(createElement(Greeting))).toBe('<p>hello</p>');
    expect(counts.active).toBe(1); // kept for a commit that could still subscribe
    jest.advanceTimersByTime(4999);
    expect(counts.active).toBe(1);
    jest.advanceTimersByTime(1);
    expect(counts.active).toBe(0);
  } finally {
    jest.useRealTimers();
  }
});
