// Mounts React trees into jsdom through the real react-dom, inside act(), as a user's app runs.
import { act, createElement, StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';

export interface Mounted {
  readonly container: HTMLElement;
  /** Renders a new tree into the same root. */
  render(node: ReactNode): Promise<void>;
  unmount(): Promise<void>;
}

/** Renders `node` (inside `<StrictMode>` when `strict`) and flushes its effects. */
export async function mount(node: ReactNode, { strict = false } = {}): Promise<Mounted> {
  const container = document.createElement('div');
  document.body.appendChild(container);
  const root = createRoot(container);
  const wrap = (n: ReactNode): ReactNode => (strict ? createElement(StrictMode, null, n) : n);
  await act(async () => root.render(wrap(node)));
  return {
    container,
    render: (next) => act(async () => root.render(wrap(next))),
    async unmount() {
      await act(async () => root.unmount());
      container.remove();
    },
  };
}

/** Lets real I/O and timers run inside act() until `check()` holds (named in the timeout error). */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
  }
}

/** The text of every element matching `selector`. */
export function texts(container: HTMLElement, selector: string): string[] {
  return [...container.querySelectorAll(selector)].map((e) => e.textContent ?? '');
}
