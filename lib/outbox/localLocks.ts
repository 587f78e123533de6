/** The part of the Web Locks API (`navigator.locks`) leader election uses. */
export interface LockManagerLike {
  request(name: string, callback: (lock: unknown) => Promise<unknown>): Promise<unknown>;
}

// One lock manager per storage (by id, or by the storage object): contenders in this JS realm.
const byId = new Map<string, LockManagerLike>();
const byObject = new WeakMap<object, LockManagerLike>();

/**
 * Exclusive locks within this JS realm, granted in request order, for platforms without Web
 * Locks (Node) and storages no other realm can open (`memoryStorage`).
 */
export function localLocks(key: string | object): LockManagerLike {
  const found = typeof key === 'string' ? byId.get(key) : byObject.get(key);
  if (found !== undefined) return found;
  const created = createLocks();
  if (typeof key === 'string') byId.set(key, created);
  else byObject.set(key, created);
  return created;
}

function createLocks(): LockManagerLike {
  const queues = new Map<string, Array<() => void>>();
  return {
    request(name, callback) {
      return new Promise((resolve, reject) => {
        const grant = (): void => {
          void Promise.resolve()
            .then(() => callback(name))
            .then(resolve, reject)
            .finally(() => {
              const queue = queues.get(name)!;
              queue.shift();
              if (queue.length === 0) queues.delete(name);
              else queue[0]!();
            });
        };
        const queue = queues.get(name);
        if (queue === undefined) {
          queues.set(name, [grant]);
          grant();
        } else queue.push(grant);
      });
    },
  };
}
