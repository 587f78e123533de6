import { BehaviorSubject, combineLatest, map } from 'rxjs';
import { RxSyncError } from '../lib/errors.js';
import { createEnvironmentFlag, type EnvironmentFlag } from '../lib/environment/flag.js';
import { liveDocuments } from '../lib/live/liveRegistry.js';
import { createOutbox } from '../lib/outbox/outbox.js';
import type { Outbox } from '../lib/outbox/outbox.js';
import type { OutboxOptions } from '../lib/outbox/outboxTypes.js';
import { createClient, type ClientOptions, type QueryClient } from '../lib/query/client.js';
import { memoryStorage } from '../lib/storage/memoryStorage.js';
import type { Storage } from '../lib/storage/storage.js';
import type { Transport } from '../transports/transport.js';
import type { TestHub } from './testHub.js';
import { createVirtualClock, installedClock, type FlushOptions, type VirtualClock } from './virtualClock.js';

/** Options of {@link createTestClient}: the client's own, minus what the kit supplies. */
export interface TestClientOptions extends Omit<ClientOptions, 'online' | 'focus' | 'now' | 'outbox' | 'live'> {
  /** The clock. Default: the virtual clock installed now, else a new one this client owns (and disposes). */
  readonly clock?: VirtualClock;
  /** The in-memory hub `transport(room)` connects to. */
  readonly hub?: TestHub;
  /** The token the client's transports present to the hub. */
  readonly token?: string;
  /** Where the outbox keeps queued writes. Default: a fresh `memoryStorage()`. Pass one storage to two clients to play a reload. */
  readonly storage?: Storage;
  /** Outbox options besides its storage and clock (e.g. `retry`; its backoff has no jitter unless you ask for it). */
  readonly outbox?: Omit<OutboxOptions, 'storage' | 'now'>;
  /** Whether the client starts online. Default `true`. */
  readonly online?: boolean;
}

/**
 * A query client wired for tests: its time is a {@link VirtualClock}, its network and focus are
 * its own flags (not the platform's), its outbox is in memory, live documents are on, and
 * `transport(room)` reaches an in-memory hub through this client's network.
 */
export interface TestClient {
  /** The client under test: pass it to your components as you would in the app. */
  readonly client: QueryClient;
  readonly clock: VirtualClock;
  /** This client's network flag (`goOffline` / `goOnline` set it). */
  readonly online: EnvironmentFlag;
  /** This client's focus flag: `focus.set(false)`, then `true`, plays a tab switching back. */
  readonly focus: EnvironmentFlag;
  readonly outbox: Outbox;
  /** A transport to `room` of the hub (one per room, made on first use), following this client's network. */
  transport<In = unknown, Out = unknown>(room: string): Transport<In, Out>;
  /** Offline: the online flag turns false AND the hub becomes unreachable (open connections drop), as on a real device. */
  goOffline(): void;
  /** Back online: the flag turns true, the hub is reachable, waiting reconnects and retries go at once. */
  goOnline(): void;
  /** `clock.flush()`: runs timers and promises until nothing is pending. */
  flush(options?: FlushOptions): Promise<void>;
  /** `clock.advance(ms)`. */
  advance(ms: number): Promise<void>;
  /** Cuts this client off the hub for good, closes the outbox, drops the cache, and disposes the clock if this client made it. */
  dispose(): void;
}

/** A flag no platform event moves: only the test sets it. */
function testFlag(initial: boolean): EnvironmentFlag {
  const flag = createEnvironmentFlag({ read: () => true, listen: () => () => {} });
  flag.set(initial);
  return flag;
}

/**
 * Creates a {@link TestClient}.
 *
 * @example
 * ```ts
 * const hub = createTestHub();
 * const alice = createTestClient({ hub });
 * const note = alice.client.live({ room: 'r', doc: 'n', type: 'lww-map', transport: alice.transport('r') });
 * alice.goOffline();
 * await note.set('title', 'Draft'); // queued
 * alice.goOnline();
 * await alice.flush(); // delivered and acked
 * ```
 */
export function createTestClient(options: TestClientOptions = {}): TestClient {
  const { clock: givenClock, hub, token, storage, outbox: outboxOptions, online: startOnline, ...clientOptions } = options;
  const existing = givenClock ?? installedClock();
  const clock = existing ?? createVirtualClock();
  const online = testFlag(startOnline ?? true);
  const focus = testFlag(true);
  const now = (): number => clock.now();
  // Backoff without jitter unless asked: the same run retries at the same virtual times.
  const outbox = createOutbox({
    ...outboxOptions,
    retry: { jitter: 'none', ...outboxOptions?.retry },
    storage: storage ?? memoryStorage(),
    now,
  });
  const client = createClient({ ...clientOptions, online, focus, now, outbox, live: liveDocuments });
  const transports = new Map<string, Transport>();
  // Disposed: the hub stays out of reach for good, so documents left open stop retrying.
  const alive = new BehaviorSubject(true);
  const reachable$ = combineLatest([online.value$, alive]).pipe(map(([isOnline, isAlive]) => isOnline && isAlive));

  return {
    client,
    clock,
    online,
    focus,
    outbox,
    transport<In, Out>(room: string): Transport<In, Out> {
      if (hub === undefined) throw new RxSyncError('E_OPTION_INVALID', 'createTestClient needs a `hub` (createTestHub()) for transport()');
      let transport = transports.get(room);
      if (transport === undefined) {
        transport = hub.transport({ room, online$: reachable$, ...(token === undefined ? {} : { token }) });
        transports.set(room, transport);
      }
      return transport as Transport<In, Out>;
    },
    goOffline: () => online.set(false),
    goOnline: () => online.set(true),
    flush: (flushOptions) => clock.flush(flushOptions),
    advance: (ms) => clock.advance(ms),
    dispose() {
      alive.next(false);
      outbox.close();
      client.clear();
      if (existing === undefined) clock.dispose();
    },
  };
}
