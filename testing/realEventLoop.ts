/** Lets real work finish between two virtual timers: promise chains, and real macrotasks (e.g. IndexedDB shims). */
export interface RealEventLoop {
  /** Resolves after a few turns of the real event loop, so every promise chain started before has moved on. */
  settle(): Promise<void>;
  close(): void;
}

/** Turns per settle: one runs every microtask; more let short chains of real macrotasks finish too. */
const TURNS = 3;

/**
 * A yield to the real event loop that the virtual clock cannot capture: Node's `setImmediate`, or a
 * `MessageChannel` in browsers (both fire far sooner than a real `setTimeout(0)`). Captured when
 * created, before the clock replaces the global timers.
 */
export function realEventLoop(): RealEventLoop {
  const host = globalThis as { setImmediate?: (run: () => void) => unknown; setTimeout: (run: () => void, ms: number) => unknown };
  const immediate = host.setImmediate;
  const realTimeout = host.setTimeout.bind(globalThis);
  let channel: MessageChannel | undefined;
  const waiting: (() => void)[] = [];
  const turn = (): Promise<void> =>
    new Promise((resolve) => {
      if (immediate !== undefined) {
        immediate(resolve);
        return;
      }
      if (typeof MessageChannel === 'undefined') {
        realTimeout(resolve, 0);
        return;
      }
      if (channel === undefined) {
        channel = new MessageChannel();
        channel.port1.onmessage = () => waiting.shift()?.();
      }
      waiting.push(resolve);
      channel.port2.postMessage(undefined);
    });
  return {
    async settle() {
      for (let i = 0; i < TURNS; i++) await turn();
    },
    close() {
      channel?.port1.close();
      channel?.port2.close();
      channel = undefined;
    },
  };
}
