// The room's presence as a y-protocols `Awareness`, so editor bindings (y-codemirror.next,
// y-prosemirror, …) show other people's carets and selections without knowing about rxsync.
import * as encoding from 'lib0/encoding';
import type { Subscribable } from 'rxjs';
import { Awareness, applyAwarenessUpdate, outdatedTimeout } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import type { Json } from '../lib/crdt/json.js';
import type { PeerPresence } from '../lib/protocol/hubMessages.js';

/** What {@link yjsAwareness} needs of a live document: its room's presence (every live handle has it). */
export interface PresenceRoom {
  /** Everyone else in the room and their presence state. */
  readonly presence$: Subscribable<readonly PeerPresence[]>;
  /** Sets this client's presence state; `null` clears it. */
  setPresence(state: Json): void;
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

/** The `origin` of awareness changes that come from the room (local changes have `'local'`). */
export const ROOM_ORIGIN = 'rxsync-room';

/**
 * Binds a y-protocols `Awareness` for `doc` to the room's presence, both ways: our local awareness
 * state becomes our presence (as an {@link AwarenessPresence}), others' presence become awareness
 * states keyed by their own client ids, and a peer that leaves the room is removed. Presence is
 * the awareness's alone: do not call `setPresence` on the same room elsewhere.
 *
 * `awareness.destroy()` clears our presence and unbinds.
 *
 * ```ts
 * const text = client.live({ room, doc: 'body', type: 'yjs', transport });
 * const awareness = yjsAwareness(text, text.doc);
 * awareness.setLocalStateField('user', { name: 'Ann', color: '#d1495b' });
 * new EditorView({ extensions: [yCollab(text.doc.getText('body'), awareness)], parent });
 * ```
 */
export function yjsAwareness(room: PresenceRoom, doc: Y.Doc, options: YjsAwarenessOptions = {}): Awareness {
  const awareness = new Awareness(doc);
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
  const onChange = (_changes: unknown, origin: unknown): void => {
    if (origin === 'local') schedule();
  };
  awareness.on('change', onChange);

  // ---- others' presence → awareness states
  const apply = (states: ReadonlyArray<readonly [number, string]>): void => {
    if (states.length === 0) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, states.length);
    for (const [clientID, json] of states) {
      encoding.writeVarUint(encoder, clientID);
      // One past the last clock seen for this client, so the update always wins.
      encoding.writeVarUint(encoder, (awareness.meta.get(clientID)?.clock ?? 0) + 1);
      encoding.writeVarString(encoder, json);
    }
    applyAwarenessUpdate(awareness, encoding.toUint8Array(encoder), ROOM_ORIGIN);
  };
  const subscription = room.presence$.subscribe({
    next: (peers) => {
      const next = remoteStates(peers, awareness.clientID);
      const changes: Array<readonly [number, string]> = [];
      for (const id of remote.keys()) if (!next.has(id)) changes.push([id, 'null']);
      for (const [id, json] of next) if (remote.get(id) !== json) changes.push([id, json]);
      remote = next;
      apply(changes);
    },
  });

  // The Awareness drops a remote state not renewed for 30 s; the hub tells us when a peer leaves,
  // so a quiet peer still present is renewed (an `update` event, no `change`: nothing redraws).
  const renew = setInterval(() => apply([...remote]), Math.floor(outdatedTimeout / 3));

  awareness.on('destroy', () => {
    awareness.off('change', onChange);
    subscription.unsubscribe();
    clearInterval(renew);
    clearTimeout(timer);
    room.setPresence(null);
  });
  schedule(); // our (empty) state, so others know our client id from the start
  return awareness;
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
