// A shared note: its fields in an lww-map (each field last-writer-wins), its likes in a pn-counter,
// and who is here (name, colour, focused field, caret) as presence in the room.
import { createClient, createOutbox, liveDocuments } from 'rxsync';
import { localforageStorage } from 'rxsync/storage';
import { webSocket } from 'rxsync/transports';

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
const client = createClient({ outbox, live: liveDocuments });
const transport = webSocket(`${location.origin.replace(/^http/, 'ws')}/ws`, {
  hello: { room },
  reconnect: { initialDelay: 250, maxDelay: 3000 },
});

export const note = client.live({ room, doc: 'note', type: 'lww-map', transport, storage });
export const likes = client.live({ room, doc: 'likes', type: 'pn-counter', transport, storage });
export const status = note.status$;
export const pending = outbox.pending$;

/** What each peer tells the room about itself. */
export interface Presence {
  name: string;
  colour: string;
  /** The field being edited, if any. */
  field?: string;
  caret?: number;
}

/** Others in the room, with a readable presence (a peer that sent none yet shows as a guest). */
export const peers = note.presence$.select((list) =>
  list.map(({ peer, state }) => {
    const p = (state ?? {}) as Partial<Presence>;
    return { peer, name: typeof p.name === 'string' ? p.name : 'guest', colour: p.colour ?? '#888', field: p.field, caret: p.caret };
  }),
);

let last = '';
let timer: ReturnType<typeof setTimeout> | undefined;
let next: Presence | undefined;

/** Tells the room where we are; repeats are skipped and bursts (typing) sent at most every 100 ms. */
export function announce(field?: string, caret?: number): void {
  next = { name: me.name, colour: me.colour, ...(field ? { field } : {}), ...(caret !== undefined ? { caret } : {}) };
  timer ??= setTimeout(() => {
    timer = undefined;
    const text = JSON.stringify(next);
    if (next && text !== last) {
      last = text;
      note.setPresence({ ...next });
    }
  }, 100);
}

export function rename(name: string): void {
  me.name = name.trim() || me.name;
  sessionStorage.setItem('rxsync-notes-name', me.name);
  announce();
}
