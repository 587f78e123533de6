// The room's presence as a y-protocols `Awareness`, so editor bindings (y-codemirror.next,
// y-prosemirror, …) show other people's carets and selections without knowing about rxsync.
// The app makes the Awareness (`new Awareness(ydoc)` from y-protocols, which the bindings need
// anyway); this file only reads and writes its public state, so this entry adds no dependency.
import type { Subscribable } from 'rxjs';
import type { Json } from '../lib/crdt/json.js';
import type { PeerPresence } from '../lib/protocol/hubMessages.js';

/** What {@link yjsAwareness} needs of a live document: its room's presence (every live handle has it). */
export interface PresenceRoom {
  /** Everyone else in the room and their presence state. */
  readonly presence$: Subscribable<readonly PeerPresence[]>;
  /** Sets this client's presence state; `null` clears it. */
  setPresence(state: Json): void;
}

/** One awareness state: any fields (`user`, `cursor`, …). */
export type AwarenessState = { [field: string]: unknown };

/** The parts of a y-protocols `Awareness` that {@link yjsAwareness} uses (it is one as it is). */
export interface AwarenessLike {
  readonly clientID: number;
  readonly states: Map<number, AwarenessState>;
  readonly meta: Map<number, { clock: number; lastUpdated: number }>;
  getLocalState(): AwarenessState | null;
  on(name: 'change' | 'destroy', handler: (changes: AwarenessChanges, origin: unknown) => void): unknown;
  off(name: 'change' | 'destroy', handler: (changes: AwarenessChanges, origin: unknown) => void): unknown;
  emit(name: 'change' | 'update', args: [AwarenessChanges, unknown]): void;
}

/** The client ids an awareness `change` / `update` event lists. */
export interface AwarenessChanges {
  readonly added: number[];
  readonly updated: number[];
  readonly removed: number[];
}

/** One peer's presence as {@link yjsAwareness} writes it: its awareness client id and state. */
export interface AwarenessPresence {
  /** The sender's awareness client id (its `Y.Doc`'s `clientID`): stable across its reconnects. */
  readonly clientID: number;
  /** Its awareness state, e.g. `{ user: { name, color }, cursor: { anchor, head } }`. */
  readonly awareness: { readonly [field: string]: Json };
}

/** Options of {@link yjsAwareness}. */
export interface YjsAwarenessOptions {
  /**
   * Local state changes (a caret moving on every keystroke) are sent at most once per this many
   * milliseconds; the first at once and the last always. Default 50.
   */
  readonly throttleMs?: number;
}

/** The `origin` of awareness events that come from the room (y-protocols uses `'local'` for ours). */
export const ROOM_ORIGIN = 'rxsync-room';

/** y-protocols drops a remote state not renewed for this long (its `outdatedTimeout`). */
const OUTDATED_MS = 30_000;

/**
 * Binds a y-protocols `Awareness` to the room's presence, both ways: our local awareness state
 * becomes our presence (an {@link AwarenessPresence}), others' presence become awareness states
 * keyed by their own client ids (events with origin {@link ROOM_ORIGIN}), and a peer that leaves
 * the room is removed. Presence is the awareness's alone: do not call `setPresence` on the same
 * room elsewhere. Returns the unbind function (it clears our presence); `awareness.destroy()`
 * unbinds too.
 *
 * ```ts
 * const body = client.live<Y.Doc>({ room, doc: 'body', type: 'yjs', transport });
 * const awareness = new Awareness(body.ydoc);
 * yjsAwareness(body, awareness);
 * awareness.setLocalStateField('user', { name: 'Ann', color: '#d1495b' });
 * new EditorView({ extensions: [yCollab(body.ydoc.getText('body'), awareness)], parent });
 * ```
 */
export function yjsAwareness(room: PresenceRoom, awareness: AwarenessLike, options: YjsAwarenessOptions = {}): () => void {
  const throttleMs = options.throttleMs ?? 50;
  let remote = new Map<number, string>(); // client id → its state as JSON, as last applied

  // ---- local state → our presence, throttled (leading and trailing edge)
  let timer: ReturnType<typeof setTimeout> | undefined;
  let dirty = false;
  const send = (): void => {
    const local = awareness.getLocalState();
    room.setPresence(local === null ? null : { clientID: awareness.clientID, awareness: toJson(local) });
  };
  const schedule = (): void => {
    if (timer !== undefined) {
      dirty = true;
      return;
    }
    send();
    timer = setTimeout(() => {
      timer = undefined;
      if (dirty) {
        dirty = false;
        schedule();
      }
    }, throttleMs);
  };
  const onChange = (_changes: AwarenessChanges, origin: unknown): void => {
    if (origin === 'local') schedule();
  };

  // ---- others' presence → awareness states, as y-protocols' applyAwarenessUpdate does
  const apply = (changes: ReadonlyArray<readonly [number, string | null]>): void => {
    const added: number[] = [];
    const updated: number[] = [];
    const removed: number[] = [];
    const now = Date.now();
    for (const [id, json] of changes) {
      // One past the last clock seen for this client: later y-protocols updates still order after it.
      awareness.meta.set(id, { clock: (awareness.meta.get(id)?.clock ?? 0) + 1, lastUpdated: now });
      if (json === null) {
        if (awareness.states.delete(id)) removed.push(id);
        continue;
      }
      (awareness.states.has(id) ? updated : added).push(id);
      awareness.states.set(id, JSON.parse(json) as AwarenessState);
    }
    if (added.length + updated.length + removed.length === 0) return;
    awareness.emit('change', [{ added, updated, removed }, ROOM_ORIGIN]);
    awareness.emit('update', [{ added, updated, removed }, ROOM_ORIGIN]);
  };
  const subscription = room.presence$.subscribe({
    next: (peers) => {
      const next = remoteStates(peers, awareness.clientID);
      const changes: Array<readonly [number, string | null]> = [];
      for (const id of remote.keys()) if (!next.has(id)) changes.push([id, null]);
      for (const [id, json] of next) if (remote.get(id) !== json) changes.push([id, json]);
      remote = next;
      apply(changes);
    },
  });

  // The Awareness drops a remote state not renewed for 30 s; the hub tells us when a peer leaves,
  // so a quiet peer still present is renewed (nothing changes, nothing redraws).
  const renew = setInterval(() => {
    const now = Date.now();
    for (const id of remote.keys()) {
      const meta = awareness.meta.get(id);
      if (meta) meta.lastUpdated = now;
    }
  }, OUTDATED_MS / 3);

  let bound = true;
  const unbind = (): void => {
    if (!bound) return;
    bound = false;
    awareness.off('change', onChange);
    awareness.off('destroy', unbind);
    subscription.unsubscribe();
    clearInterval(renew);
    clearTimeout(timer);
    room.setPresence(null);
  };
  awareness.on('change', onChange);
  awareness.on('destroy', unbind);
  schedule(); // our state now, so others know our client id from the start
  return unbind;
}

/** Others' awareness states by client id, as JSON; peers whose presence is not one are left out. */
function remoteStates(peers: readonly PeerPresence[], ownClientID: number): Map<number, string> {
  const states = new Map<number, string>();
  for (const { peer, state } of peers) {
    const presence = readAwarenessPresence(state);
    if (presence === undefined) continue;
    // A client id already taken (ours, or another peer's) is replaced by one derived from the peer.
    let id = presence.clientID;
    if (id === ownClientID || states.has(id)) id = clientIdOf(peer);
    if (id === ownClientID || states.has(id)) continue;
    states.set(id, JSON.stringify(presence.awareness));
  }
  return states;
}

/**
 * Reads one peer's presence as an {@link AwarenessPresence}, or `undefined` when it is not one.
 * A `cursor` that is not a pair of relative positions is dropped (bindings would throw on it).
 */
export function readAwarenessPresence(state: Json): AwarenessPresence | undefined {
  if (!isRecord(state) || !isClientId(state['clientID']) || !isRecord(state['awareness'])) return undefined;
  const awareness = state['awareness'];
  const cursor = awareness['cursor'];
  if (cursor !== undefined && cursor !== null && !isCursor(cursor)) {
    return { clientID: state['clientID'], awareness: { ...awareness, cursor: null } };
  }
  return { clientID: state['clientID'], awareness };
}

const isRecord = (value: unknown): value is { readonly [field: string]: Json } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Yjs client ids are unsigned 32-bit integers. */
const isClientId = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffffffff;

const isId = (value: Json | undefined): boolean =>
  value === undefined || value === null || (isRecord(value) && isClientId(value['client']) && isClientId(value['clock']));

/** A `Y.RelativePosition` as JSON: `{ type?, tname?, item?, assoc? }`. */
const isRelativePosition = (value: Json | undefined): boolean =>
  isRecord(value) &&
  isId(value['type']) &&
  isId(value['item']) &&
  (value['tname'] === undefined || value['tname'] === null || typeof value['tname'] === 'string') &&
  (value['assoc'] === undefined || Number.isInteger(value['assoc']));

const isCursor = (value: Json): boolean => isRecord(value) && isRelativePosition(value['anchor']) && isRelativePosition(value['head']);

/** A client id derived from a peer id (FNV-1a): the same peer always gets the same one. */
function clientIdOf(peer: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < peer.length; i++) hash = Math.imul(hash ^ peer.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/** Awareness states hold class instances (`Y.RelativePosition`); the wire carries their JSON. */
const toJson = (state: object): { readonly [field: string]: Json } =>
  JSON.parse(JSON.stringify(state)) as { readonly [field: string]: Json };
