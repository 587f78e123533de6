// A shared note: its text is a Yjs document (edited together in CodeMirror), its title an
// lww-map field (last writer wins), its likes a pn-counter; who is here and where their caret
// is travels as the room's presence, seen by the editor as a Yjs awareness.
import { createClient, createOutbox, liveDocuments } from 'rxsync';
import { localforageStorage } from 'rxsync/storage';
import { webSocket } from 'rxsync/transports';
import { readAwarenessPresence, yjsAwareness, yjsDocuments } from 'rxsync/yjs';
import { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';

const params = new URLSearchParams(location.search);
export const room = params.get('room') ?? 'notes';

const NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken'];
const COLOURS = ['#d1495b', '#edae49', '#00798c', '#30638e', '#6a4c93', '#2a9d8f'];
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T;

export const me = {
  name: params.get('name') ?? sessionStorage.getItem('rxsync-notes-name') ?? pick(NAMES),
  colour: pick(COLOURS),
};
sessionStorage.setItem('rxsync-notes-name', me.name);

// One IndexedDB store for the queued edits and the room's confirmed state (shown at once on reload).
const storage = localforageStorage({ name: 'rxsync-notes' });
const outbox = createOutbox({ storage });
const client = createClient({ outbox, live: liveDocuments.with(yjsDocuments) });
const transport = webSocket(`${location.origin.replace(/^http/, 'ws')}/ws`, {
  hello: { room },
  reconnect: { initialDelay: 250, maxDelay: 3000 },
});

export const note = client.live({ room, doc: 'note', type: 'lww-map', transport, storage });
export const likes = client.live({ room, doc: 'likes', type: 'pn-counter', transport, storage });
export const body = client.live<Y.Doc>({ room, doc: 'body', type: 'yjs', transport, storage });
export const text = body.ydoc.getText('body');
export const status = note.status$;
export const pending = outbox.pending$;

// The room's presence is the editor's awareness: name and colour (`user`, as y-codemirror.next
// reads it) and the caret, which the editor binding keeps up to date.
export const awareness = new Awareness(body.ydoc);
yjsAwareness(body, awareness);
const announceUser = () => awareness.setLocalStateField('user', { name: me.name, color: me.colour, colorLight: `${me.colour}33` });
announceUser();

/** A string field of an untrusted object, or `fallback`. */
function stringField(record: unknown, field: string, fallback: string): string {
  const value = typeof record === 'object' && record !== null ? (record as Record<string, unknown>)[field] : undefined;
  return typeof value === 'string' ? value : fallback;
}

/** Others in the room, from their awareness state (a peer that sent none yet shows as a guest). */
export const peers = body.presence$.select((list) =>
  list.map(({ peer, state }) => {
    const presence = readAwarenessPresence(state)?.awareness;
    return {
      peer,
      name: stringField(presence?.['user'], 'name', 'guest'),
      colour: stringField(presence?.['user'], 'color', '#888'),
      editing: presence?.['cursor'] != null,
    };
  }),
);

export function rename(name: string): void {
  me.name = name.trim() || me.name;
  sessionStorage.setItem('rxsync-notes-name', me.name);
  announceUser();
}
