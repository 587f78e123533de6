// The todo list's data: everything lives in live documents of one hub room.
//   todos          or-set of todo ids (a concurrent add wins over a remove)
//   todo.<id>      lww-map of the item's fields (done, created): last writer wins per field
//   title.<id>     mv-register of its title: concurrent renames are kept side by side as a conflict
// Edits show at once, are queued durably in the outbox (IndexedDB through localforage), survive
// reloads and reach the hub when online. The room's confirmed state is saved in the same storage,
// so a reload shows the list at once, even offline. Components open the documents they show with
// `createLive` (rxsync/svelte); this module holds what they share.
import { createClient, createOutbox, liveDocuments, onlineManager, type LiveOptions } from 'rxsync';
import { localforageStorage } from 'rxsync/storage';
import { webSocket } from 'rxsync/transports';

const params = new URLSearchParams(location.search);
export const room = params.get('room') ?? 'todos';
// `?hub=ws://host:port/ws` syncs through another hub (e.g. the cluster sample's proxy); several
// `hub` parameters make a failover list. By default the hub serving this page. A sample's
// convenience: a real app should not let a link pick where its data goes.
const hubs = params.getAll('hub').filter((url) => /^wss?:\/\/[^\s]+$/.test(url));
const hub = hubs.length > 0 ? hubs : `${location.origin.replace(/^http/, 'ws')}/ws`;

const storage = localforageStorage({ name: 'rxsync-todo' });
export const outbox = createOutbox({ storage });
export const client = createClient({ outbox, live: liveDocuments });
export const transport = webSocket(hub, {
  pick: 'random',
  hello: { room },
  reconnect: { initialDelay: 250, maxDelay: 3000 },
});

export const pending = outbox.pending$;
export const online = onlineManager.value$;

/** Where a document of this room lives, for `createLive` and `client.live`. */
export function inRoom<T extends LiveOptions<'or-set' | 'lww-map' | 'mv-register'>['type']>(doc: string, type: T) {
  return { room, doc, type, transport, storage };
}

/** The documents of one todo, as `createLive` options. */
export const todoDocs = (id: string) => ({ fields: inRoom(`todo.${id}`, 'lww-map'), title: inRoom(`title.${id}`, 'mv-register') });

/** Ids sort by creation time: they start with it, in base 36 of fixed width. */
export function newId(): string {
  return `${Date.now().toString(36).padStart(9, '0')}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Writes a new todo's documents (durable in the outbox once this resolves) and returns its id;
 * the caller adds the id to the list. The handles close at once: the component showing the item
 * opens its own.
 */
export async function writeTodo(title: string): Promise<string> {
  const id = newId();
  const docs = todoDocs(id);
  const fields = client.live(docs.fields);
  const titleDoc = client.live(docs.title);
  try {
    await Promise.all([titleDoc.set(title), fields.set('done', false)]);
  } finally {
    fields.close();
    titleDoc.close();
  }
  return id;
}
