import { enablePatches, produce, produceWithPatches, type Draft, type Patch } from 'immer';
import { RxSyncError } from '../errors.js';
import type { Outbox, OutboxSender } from '../outbox/outbox.js';
import type { OutboxOp } from '../outbox/outboxOp.js';
import type { EnvironmentFlag } from '../environment/flag.js';
import type { StoreObservable } from '../signals/storeObservable.js';
import type { QueryCache } from './queryCache.js';
import { createMutationStateTracker, type MutationOutcome, type MutationState } from './mutationState.js';
import { createOptimisticLayers, type OptimisticLayers, type OptimisticRecipe, type Pending } from './optimisticLayers.js';
import { hashQueryKey, type QueryKey } from './queryKey.js';

/** An optimistic change to one cached query, applied at once and rolled back if the op dies. */
export interface OptimisticUpdate<V, T = unknown> {
  /** The query to change (or derive it from the variables). */
  key: QueryKey | ((variables: V) => QueryKey);
  /** An immer recipe over the cached data. Not called when the query holds no data. */
  update: (draft: Draft<T>, variables: V) => void;
}

/** Options of `client.mutation`. */
export interface MutationOptions<V, R = unknown, T = unknown> {
  /** Registry name: ops queued under it are sent by `send`, also after a reload. */
  name: string;
  /** Delivers one mutation. Pass `idempotencyKey` to the server (e.g. `Idempotency-Key` header). */
  send: (variables: V, context: { readonly signal: AbortSignal; readonly idempotencyKey: string }) => Promise<R>;
  /** Applied to the cache at once, and re-applied over confirmed data until the op settles; dropped exactly if it is dead-lettered. */
  optimistic?: OptimisticUpdate<V, T> | ReadonlyArray<OptimisticUpdate<V, T>>;
  /** Queries (by key prefix) to invalidate once the server accepted the mutation. */
  invalidates?: readonly QueryKey[] | ((variables: V, result: R) => readonly QueryKey[]);
  /** Ordering scope: mutations of one scope are sent in order, one at a time. Default `name`. */
  scope?: string | ((variables: V) => string);
}

export type { MutationOutcome } from './mutationState.js';

/** A mutation reported as queued: it is durable in the outbox. */
export interface QueuedMutation<R> {
  readonly id: string;
  /** Resolves when the server accepted it or it failed for good (never rejects). */
  readonly settled: Promise<MutationOutcome<R>>;
}

/**
 * What `client.mutation` returns: one handle (e.g. per component). Several handles of one name
 * may live at once; they share the name's sender, and the most recently created one that is
 * still alive delivers queued ops and decides what an ack invalidates (handles of one name are
 * expected to have the same options).
 */
export interface Mutation<V, R> {
  readonly name: string;
  /** Applies the optimistic update and queues the mutation; resolves once it is durable. */
  mutate(variables: V): Promise<QueuedMutation<R>>;
  /**
   * The state of the latest `mutate()` made through this handle: emits the current state at once
   * on subscribe, then every change (equal states are not re-emitted). A Svelte store too.
   */
  readonly state$: StoreObservable<MutationState<V, R>>;
  /** Back to `idle` (a queued op is not cancelled; its outcome is no longer shown here). */
  reset(): void;
  /**
   * Drops this handle. The name's sender stays registered while another handle of the name
   * lives; after the last one, queued ops wait until a mutation of this name exists again.
   */
  dispose(): void;
}

/** The rollback recorded with each op, as JSON (survives reloads with the op). */
interface RollbackMeta {
  readonly rollback: ReadonlyArray<{ readonly key: QueryKey; readonly patches: Patch[] }>;
}

/** @internal Per-client bookkeeping shared by all mutations: outcome waiters and invalidation rules. */
export interface MutationHub {
  readonly waiters: Map<string, (outcome: MutationOutcome<unknown>) => void>;
  readonly onAck: Map<string, (op: OutboxOp, result: unknown) => void>;
  /** Optimistic updates by mutation name, to re-apply pending ones over fetched data. */
  readonly optimistic: Map<string, ReadonlyArray<OptimisticUpdate<unknown>>>;
  /** Confirmed data + outstanding optimistic changes, per key. */
  readonly layers: OptimisticLayers;
  /** The live handles of each name, oldest first (the last one sends), and the name's outbox registration. */
  readonly names: Map<string, { readonly handles: NameHandle[]; readonly unregister: () => void }>;
  /** Keys whose fetch a mutation cancelled: refetched once no change over them is outstanding. */
  readonly owed: Set<string>;
}

/** @internal What one handle contributes to its name: how to send, what an ack invalidates, its optimistic updates. */
interface NameHandle {
  readonly send: (payload: unknown, context: { readonly signal: AbortSignal; readonly idempotencyKey: string }) => Promise<unknown>;
  readonly onAck: (op: OutboxOp, result: unknown) => void;
  readonly optimistic: ReadonlyArray<OptimisticUpdate<unknown>>;
}

/**
 * @internal Connects a client's cache to its outbox: acks resolve `settled`, fold their change
 * into the confirmed data and invalidate; dead letters drop their change; fetched or set data
 * gets the outstanding changes laid over it. One mechanism for all three (see OptimisticLayers).
 */
export function connectMutationHub(cache: QueryCache, outbox: Outbox): MutationHub {
  const optimistic = new Map<string, ReadonlyArray<OptimisticUpdate<unknown>>>();
  const layers = createOptimisticLayers(cache, outbox, (name) => (optimistic.get(name) ?? []) as readonly OptimisticRecipe[], rollbackOf);
  const hub: MutationHub = { waiters: new Map(), onAck: new Map(), optimistic, layers, names: new Map(), owed: new Set() };
  cache.rebase = (key, data) => layers.confirm(key, data);
  cache.confirmed = (key) => layers.confirmed(key);
  // A fetch a mutation cancelled is made up for once the key's changes settled: it then shows
  // what the server holds with them, not a copy that may or may not include them.
  const settleOwed = (op: OutboxOp): void => {
    for (const hash of layers.targets(op)) {
      if (!hub.owed.has(hash) || layers.outstanding(hash) > 0) continue;
      hub.owed.delete(hash);
      const entry = cache.get<unknown>(hash);
      if (entry === undefined || entry.current.fetchStatus !== 'idle') continue; // gone, or an invalidation refetches it
      entry.dispatch({ type: 'invalidate' });
      if (entry.observerCount > 0) entry.requestRefetch();
    }
  };
  outbox.ack$.subscribe(({ op, result }) => {
    layers.acked(op);
    hub.onAck.get(op.name)?.(op, result);
    settleOwed(op);
    hub.waiters.get(op.id)?.({ status: 'acked', result });
    hub.waiters.delete(op.id);
  });
  outbox.deadLetter$.subscribe((letter) => {
    layers.dropped(letter.op);
    settleOwed(letter.op);
    hub.waiters.get(letter.op.id)?.({
      status: 'dead',
      error: letter.error,
      ...(letter.status !== undefined ? { code: letter.status } : {}),
    });
    hub.waiters.delete(letter.op.id);
  });
  return hub;
}

/** @internal What a mutation is built on: the client's cache, outbox, flags and invalidation. */
export interface MutationHost {
  readonly cache: QueryCache;
  readonly outbox: Outbox;
  readonly hub: MutationHub;
  readonly online: EnvironmentFlag;
  readonly now: () => number;
  readonly invalidate: (prefix: QueryKey) => Promise<void>;
}

/** @internal Builds a mutation on a client's cache and outbox. */
export function createMutation<V, R, T>(host: MutationHost, options: MutationOptions<V, R, T>): Mutation<V, R> {
  const { cache, outbox, hub } = host;
  if (typeof options?.name !== 'string' || options.name === '') throw new RxSyncError('E_OPTION_INVALID', 'client.mutation needs a name');
  if (typeof options.send !== 'function')
    throw new RxSyncError('E_OPTION_INVALID', `client.mutation "${options.name}" needs a send function`);
  enablePatches(); // immer's patch support, switched on only by apps that use mutations
  const updates: ReadonlyArray<OptimisticUpdate<V, T>> =
    options.optimistic === undefined
      ? []
      : Array.isArray(options.optimistic)
        ? options.optimistic
        : [options.optimistic as OptimisticUpdate<V, T>];

  const handle: NameHandle = {
    send: (payload, context) => options.send(payload as V, context),
    onAck: (op, result) => {
      const keys =
        typeof options.invalidates === 'function' ? options.invalidates(op.payload as V, result as R) : (options.invalidates ?? []);
      for (const key of keys) void host.invalidate(key);
    },
    optimistic: updates as ReadonlyArray<OptimisticUpdate<unknown>>,
  };
  const detach = attachHandle(hub, outbox, options.name, handle);
  const tracker = createMutationStateTracker<V, R>(options.name, host.online, host.now);
  let disposed = false;

  return {
    name: options.name,
    state$: tracker.state$,
    reset: tracker.reset,
    async mutate(variables) {
      const call = tracker.begin(variables);
      const rollback: Array<{ key: QueryKey; patches: Patch[] }> = [];
      const applied: Pending[] = [];
      const cancelled: string[] = [];
      let op: OutboxOp<V>;
      try {
        for (const update of updates) {
          const key = typeof update.key === 'function' ? update.key(variables) : update.key;
          const entry = cache.get<unknown>(hashQueryKey(key));
          const current = entry?.current.data;
          if (entry === undefined || current === undefined) continue;
          // A fetch in flight may read the server before or after this write lands: either way
          // round, laying the change over its result could show it twice. Cancel it (as TanStack
          // advises in onMutate); the key is refetched once its changes settled.
          if (entry.cancelRun()) cancelled.push(entry.key.hash);
          const recipe = (draft: Draft<unknown>): void => update.update(draft as Draft<T>, variables);
          const [next, , inverse] = produceWithPatches(current, recipe);
          // Even a change that alters nothing now is kept: over other confirmed data it may.
          applied.push(hub.layers.add(entry, (data) => produce(data, recipe), next));
          if (inverse.length > 0) rollback.push({ key, patches: inverse }); // kept with the op: undoes it after a reload
        }
        const scope = typeof options.scope === 'function' ? options.scope(variables) : (options.scope ?? options.name);
        op = await outbox.enqueue(options.name, variables, { scope, meta: { rollback } satisfies RollbackMeta });
      } catch (err) {
        // Not queued: undo the optimistic change now, so the screen never shows a lost write.
        hub.layers.dropped(applied);
        for (const hash of cancelled) cache.get<unknown>(hash)?.requestRefetch();
        call.failed(err);
        throw err;
      }
      for (const pending of applied) pending.id = op.id;
      for (const hash of cancelled) hub.owed.add(hash);
      call.queued(op.id);
      const settled = new Promise<MutationOutcome<R>>((resolve) =>
        hub.waiters.set(op.id, (outcome) => {
          call.settled(outcome as MutationOutcome<R>);
          resolve(outcome as MutationOutcome<R>);
        }),
      );
      return { id: op.id, settled };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      tracker.dispose();
      detach();
    },
  };
}

/**
 * Adds a handle to its name: the first one registers the name's sender in the outbox, the last
 * one to leave unregisters it; in between, the newest live handle sends and handles acks.
 */
function attachHandle(hub: MutationHub, outbox: Outbox, name: string, handle: NameHandle): () => void {
  let entry = hub.names.get(name);
  if (entry === undefined) {
    const handles: NameHandle[] = [];
    const sender: OutboxSender = (op, context) => (handles.at(-1) as NameHandle).send(op.payload, context);
    entry = { handles, unregister: outbox.register(name, sender) };
    hub.names.set(name, entry);
  }
  const { handles } = entry;
  const activate = (): void => {
    const active = handles.at(-1) as NameHandle;
    hub.optimistic.set(name, active.optimistic);
    hub.onAck.set(name, active.onAck);
  };
  handles.push(handle);
  activate();
  return () => {
    handles.splice(handles.indexOf(handle), 1);
    if (handles.length > 0) return activate();
    (entry as { unregister: () => void }).unregister();
    hub.names.delete(name);
    hub.onAck.delete(name);
    hub.optimistic.delete(name);
  };
}

/** @internal Reads the rollback recorded with an op (validated: it came from storage). */
export function rollbackOf(op: OutboxOp): RollbackMeta['rollback'] {
  const meta = op.meta as Partial<RollbackMeta> | undefined;
  if (!Array.isArray(meta?.rollback)) return [];
  return meta.rollback.filter((r): r is { key: QueryKey; patches: Patch[] } => Array.isArray(r?.key) && Array.isArray(r?.patches));
}
