// The todo list's data: everything lives in live documents of one hub room.
//   todos          or-set of todo ids (a concurrent add wins over a remove)
//   todo.<id>      lww-map of the item's fields (done, created): last writer wins per field
//   title.<id>     mv-register of its title: concurrent renames are kept side by side as a conflict
// Edits show at once, are queued durably in the outbox (IndexedDB through localforage), survive
// reloads and reach the hub when online. The room's confirmed state is saved in the same storage,
// so a reload shows the list at once, even offline.
import { createClient, createOutbox, liveDocuments, onlineManager } from 'rxsync';
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

export const ids = client.live({ room, doc: 'todos', type: 'or-set', transport, storage });
export const status = ids.status$;
export const pending = outbox.pending$;
export const online = onlineManager.value$;

const opened = new Map<string, ReturnType<typeof openTodo>>();

function openTodo(id: string) {
  return {
    fields: client.live({ room, doc: `todo.${id}`, type: 'lww-map', transport, storage }),
    title: client.live({ room, doc: `title.${id}`, type: 'mv-register', transport, storage }),
  };
}

/** The documents of one todo (opened once, shared by every component that shows it). */
export function todo(id: string): ReturnType<typeof openTodo> {
  let docs = opened.get(id);
  if (!docs) opened.set(id, (docs = openTodo(id)));
  return docs;
}

/** Ids sort by creation time: they start with it, in base 36 of fixed width. */
export function newId(): string {
  return `${Date.now().toString(36).padStart(9, '0')}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function addTodo(title: string): Promise<void> {
  const id = newId();
  const docs = todo(id);
  await Promise.all([docs.title.set(title), docs.fields.set('done', false), ids.add(id)]);
}

export async function removeTodo(id: string): Promise<void> {
  await ids.remove(id);
}
