import type { ReadonlySignal } from '../signals/signal.js';
import type { Storage } from '../storage/storage.js';
import { electLeader, type LockManagerLike } from './leader.js';
import { localChannel } from './localChannel.js';
import type { DeadLetter, OutboxOp } from './outboxOp.js';

/** What outbox instances on one storage tell each other (BroadcastChannel, same origin). */
export type PeerMessage =
  | { readonly type: 'queued' }
  | { readonly type: 'acked'; readonly op: OutboxOp; readonly result: unknown }
  | { readonly type: 'dead'; readonly letter: DeadLetter };

/** Options of {@link joinPeers}. */
export interface PeersOptions {
  readonly prefix: string;
  readonly writer: string;
  readonly storage: Storage;
  readonly locks: LockManagerLike | undefined;
  readonly leaseTtl: number;
  readonly rescanInterval: number;
  readonly now: () => number;
  /** Called for each message of another instance. */
  readonly receive: (message: PeerMessage) => void;
  /** Called every `rescanInterval` where storage is the only news channel (processes). */
  readonly rescan: () => void;
  /** Resolves once the outbox loaded: only then does it contend for leadership. */
  readonly ready: Promise<unknown>;
}

/** The other instances of an outbox on one storage: who replays (the leader), and news. */
export interface Peers {
  readonly leader$: ReadonlySignal<boolean>;
  /** Tells the other instances (tabs of this origin); a no-op without BroadcastChannel. */
  post(message: PeerMessage): void;
  close(): void;
}

/** Joins the instances of one outbox: leader election, BroadcastChannel news, periodic rescans. */
export function joinPeers(options: PeersOptions): Peers {
  const leadership = electLeader({
    name: `${options.prefix}:lease`,
    holder: options.writer,
    storage: options.storage,
    locks: options.locks,
    lease: options.storage.shared === true,
    ttl: options.leaseTtl,
    now: options.now,
    after: options.ready,
  });
  const { storage } = options;
  const receive = (message: unknown): void => options.receive(message as PeerMessage);
  // A storage with an id may be open in other tabs (BroadcastChannel reaches them); a private one
  // only here. Processes share no channel: they learn from storage, re-read periodically.
  let channel: { postMessage(message: unknown): void; close(): void };
  if (storage.id === undefined) channel = localChannel(storage, receive);
  else if (typeof BroadcastChannel === 'function') {
    const broadcast = new BroadcastChannel(`rxsync-outbox:${storage.id}:${options.prefix}`);
    broadcast.onmessage = (event: MessageEvent<unknown>) => receive(event.data);
    // Node's channel would keep the process alive on its own; the outbox's timers decide that.
    (broadcast as { unref?: () => void }).unref?.();
    channel = broadcast;
  } else channel = { postMessage: () => undefined, close: () => undefined };
  const polls = storage.shared === true || (storage.id !== undefined && typeof BroadcastChannel !== 'function');
  const timer = polls ? setInterval(options.rescan, options.rescanInterval) : undefined;
  return {
    leader$: leadership.leader$,
    post(message) {
      try {
        channel.postMessage(message);
      } catch {
        // An ack result that cannot be cloned: the others learn of the ack from storage instead.
        if (message.type === 'acked') channel.postMessage({ ...message, result: undefined });
      }
    },
    close() {
      clearInterval(timer);
      leadership.close();
      channel.close();
    },
  };
}

/** `navigator.locks` where the platform has Web Locks. */
export function platformLocks(): LockManagerLike | undefined {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return typeof locks?.request === 'function' ? locks : undefined;
}
