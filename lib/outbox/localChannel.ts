// Listeners per storage object: outboxes on one private storage (memoryStorage) in this JS realm.
const listeners = new WeakMap<object, Set<(message: unknown) => void>>();

/** A BroadcastChannel-like bus among the users of one storage object in this JS realm. */
export interface LocalChannel {
  postMessage(message: unknown): void;
  close(): void;
}

/** Joins the bus of `key`: `receive` gets every message the others post (never one's own). */
export function localChannel(key: object, receive: (message: unknown) => void): LocalChannel {
  let set = listeners.get(key);
  if (set === undefined) listeners.set(key, (set = new Set()));
  const members = set;
  members.add(receive);
  return {
    postMessage(message) {
      if (members.size < 2) return; // nobody else listens: no copy to make
      // Delivered in a later task, as a BroadcastChannel would, and as a copy.
      const copy = JSON.parse(JSON.stringify(message)) as unknown;
      for (const member of members) if (member !== receive) setTimeout(() => member(copy), 0);
    },
    close() {
      members.delete(receive);
    },
  };
}
