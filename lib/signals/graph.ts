import { Observable, type Observer, type Subscriber, type Subscription, type TeardownLogic } from 'rxjs';
import { storeArguments, storeSubscription, type StoreSubscription } from './storeContract.js';
import { sortByHeight } from './sortByHeight.js';

/**
 * The dependency graph behind signals. Writes push a "something changed" wave through the live
 * part of the graph; values are pulled, and nodes are notified in height order (sources before
 * the nodes derived from them), so a derived node is only ever computed from inputs that are all
 * current: no glitches on diamonds, one notification per node per wave.
 *
 * Longer than most files on purpose: the wave (mark, order by height, pull, deliver) is one
 * algorithm whose invariants span these functions; split, each part would need the others'.
 */

/** Equality used to skip notifications when a value did not change. */
export type Equals<T> = (previous: T, next: T) => boolean;

interface ObserverRecord<T> {
  /** Delivers a value: a subscriber's `next`, or a plain listener on the internal fast path. */
  readonly deliver: (value: T) => void;
  /** Ends the observer when its derivation throws. */
  readonly fail: (err: unknown) => void;
  /** Svelte's `invalidate`: told before any observer of the wave gets its value. */
  readonly invalidate: (() => void) | undefined;
  /** Version of the value this observer saw last, so it is never told the same version twice. */
  seen: number;
  /** The value it saw last: a batch that sets a value and then sets it back tells nobody. */
  last: T;
  /** Set on unsubscribe: a value collected for it in the current wave is not delivered. */
  closed: boolean;
}

/** One observer's part of a wave: invalidated first, then `run` (a value or the failure). */
interface Delivery {
  readonly record: Pick<ObserverRecord<unknown>, 'invalidate' | 'closed'>;
  readonly run: () => void;
  /** A failure is delivered even though the record was closed by it. */
  readonly failure: boolean;
}

/** The observer list of every node nobody observes (lists are replaced, never mutated). */
const NO_OBSERVERS: readonly ObserverRecord<any>[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any -- empty: fits every T

let batchDepth = 0;
let flushing = false;
/** Bumped on every write anywhere; lets an unchanged computed skip re-checking its sources. */
let epoch = 0;
const pending = new Set<GraphNode<unknown>>();
/** Errors thrown by observers (or meant for observers without an error channel) during a flush. */
let flushErrors: unknown[] = [];
/** Live observers that passed Svelte's `invalidate`: while there are none, a wave needs no first phase. */
let invalidatingObservers = 0;

/** Current write epoch; computed nodes compare it to know whether anything could have changed. */
export function currentEpoch(): number {
  return epoch;
}

/**
 * Runs `fn` and notifies observers once at the end, however many signals it set.
 *
 * @example
 * ```ts
 * batch(() => { first.set('Ada'); last.set('Lovelace'); }); // fullName emits once
 * ```
 */
export function batch<R>(fn: () => R): R {
  batchDepth++;
  try {
    return fn();
  } finally {
    batchDepth--;
    if (batchDepth === 0 && !flushing) flush();
  }
}

/** The shared shape of writable and computed signals. */
export abstract class GraphNode<T> extends Observable<T> {
  /** Bumped each time the value changes (equal values do not bump it). */
  version = 0;
  /** @internal The last notification walk that reached this node (see `drain`). */
  visitedMark = 0;
  /** Distance from the writable roots; notification runs in ascending height. */
  abstract readonly height: number;
  /** When two values count as the same (no notification). */
  protected abstract readonly equals: Equals<T>;
  /** @internal Live computed nodes that read this one; only they are pushed to. Made on first use. */
  dependents: Set<GraphNode<unknown>> | undefined = undefined;
  /** Replaced, never changed in place (a wave may be iterating the old list): starts as the shared empty one. */
  private observers: readonly ObserverRecord<T>[] = NO_OBSERVERS;

  /**
   * RxJS's subscribe hook, overridden as `Subject` does, instead of a subscribe function passed
   * to the constructor: no closure per node.
   */
  protected _subscribe(subscriber: Subscriber<T>): TeardownLogic {
    return this.attachObserver(subscriber);
  }

  /** The current value (pulled: always consistent with the current inputs). */
  abstract get(): T;

  /** Brings the cached value up to date with the inputs. A no-op for writable signals. */
  abstract refresh(): void;

  /** Called when the node gains its first or loses its last observer or dependent. */
  protected onLiveChange(_live: boolean): void {}

  /** Whether anyone is listening: an observer or a live dependent. */
  protected get isLive(): boolean {
    return this.observers.length > 0 || (this.dependents?.size ?? 0) > 0;
  }

  /** Registers a live computed node that reads this one. */
  addDependent(node: GraphNode<unknown>): void {
    const wasLive = this.isLive;
    (this.dependents ??= new Set()).add(node);
    if (!wasLive) this.onLiveChange(true);
  }

  /** Unregisters a computed node that stopped listening. */
  removeDependent(node: GraphNode<unknown>): void {
    if (this.dependents?.delete(node) !== true) return;
    if (!this.isLive) this.onLiveChange(false);
  }

  /** Marks this node changed and, outside a batch, notifies at once. */
  protected changed(): void {
    epoch++;
    if (batchDepth > 0 || flushing) {
      pending.add(this as GraphNode<unknown>);
      return;
    }
    // Fast path: a leaf signal with only direct observers needs no graph walk.
    if ((this.dependents?.size ?? 0) === 0) runWaves([this as GraphNode<unknown>]);
    else {
      pending.add(this as GraphNode<unknown>);
      flush();
    }
  }

  /**
   * Refreshes the value and collects a delivery for each observer that has not yet seen this
   * version; nothing is delivered here, so every observer of a wave is invalidated first.
   * Without `into` (no live observer anywhere takes `invalidate`) it delivers at once.
   */
  collect(into: Delivery[] | undefined): void {
    if (this.observers.length === 0) return;
    let value: T;
    try {
      this.refresh();
      value = this.get();
    } catch (err) {
      // A failing derivation ends its observers' streams, like a throwing `map`.
      const failed = this.observers;
      this.observers = NO_OBSERVERS;
      this.onLiveChange(false);
      for (const o of failed) {
        o.closed = true;
        if (o.invalidate !== undefined) invalidatingObservers--;
        if (into === undefined) attempt(() => o.fail(err));
        else into.push({ record: o, run: () => o.fail(err), failure: true });
      }
      return;
    }
    const version = this.version;
    for (const o of this.observers) {
      if (o.seen !== version) {
        o.seen = version;
        if (this.equals(o.last, value)) continue;
        o.last = value;
        if (into !== undefined) into.push({ record: o, run: () => o.deliver(value), failure: false });
        else if (!o.closed) deliverNow(o, value);
      }
    }
  }

  /**
   * @internal Calls `listener` with the current value now and with every change, without an
   * RxJS Subscriber in between (for hot internal paths such as query fan-out). Returns the
   * function that stops it.
   */
  listen(listener: (value: T) => void, onError: (err: unknown) => void = rethrow): () => void {
    return this.attach(listener, onError, undefined);
  }

  /** RxJS's `subscribe`, plus Svelte's store form `subscribe(run, invalidate)`: see `storeContract.ts`. */
  override subscribe(observerOrNext?: Partial<Observer<T>> | ((value: T) => void)): Subscription;
  override subscribe(run: (value: T) => void, invalidate?: () => void): StoreSubscription;
  /** @deprecated RxJS's positional callbacks; use an observer object `{ next, error, complete }`. */
  override subscribe(
    next?: ((value: T) => void) | null,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription;
  override subscribe(...args: unknown[]): Subscription {
    const store = storeArguments<T>(args);
    if (store === undefined) return super.subscribe(...(args as Parameters<Observable<T>['subscribe']>));
    // No error channel: thrown here at subscribe time, or from the write that broke the derivation.
    return storeSubscription(this.attach(store.run, rethrow, store.invalidate));
  }

  private attachObserver(subscriber: Subscriber<T>): () => void {
    return this.attach(
      (value) => subscriber.next(value),
      (err) => subscriber.error(err),
      undefined,
    );
  }

  private attach(deliver: (value: T) => void, fail: (err: unknown) => void, invalidate: (() => void) | undefined): () => void {
    const wasLive = this.isLive;
    // Becoming live first, so computed nodes register with their sources before the first read.
    if (!wasLive) this.onLiveChange(true);
    let value: T;
    try {
      value = this.get();
    } catch (err) {
      if (!wasLive) this.onLiveChange(false);
      fail(err);
      return () => {};
    }
    const record: ObserverRecord<T> = { deliver, fail, invalidate, seen: this.version, last: value, closed: false };
    this.observers = [...this.observers, record];
    if (invalidate !== undefined) invalidatingObservers++;
    deliver(value);
    return () => {
      if (record.closed) return;
      record.closed = true;
      if (invalidate !== undefined) invalidatingObservers--;
      const index = this.observers.indexOf(record);
      if (index < 0) return;
      const next = this.observers.slice();
      next.splice(index, 1);
      this.observers = next;
      if (!this.isLive) this.onLiveChange(false);
    };
  }
}

function rethrow(err: unknown): never {
  throw err;
}

/** Notifies every changed node and its live dependents, sources first. */
function flush(): void {
  runFlush(drain);
}

/** The fast path of {@link flush} for one node without dependents: no graph walk. */
function runWaves(nodes: readonly GraphNode<unknown>[]): void {
  runFlush(() => {
    wave(nodes);
    drain(); // writes made by observers during the wave
  });
}

function drain(): void {
  while (pending.size > 0) {
    const affected: GraphNode<unknown>[] = [];
    // A mark per walk instead of a Set of visited nodes: no allocation per write.
    const mark = ++walkMark;
    for (const node of pending) visit(node, mark, affected);
    pending.clear();
    sortByHeight(affected);
    wave(affected);
  }
}

let walkMark = 0;

function visit(node: GraphNode<unknown>, mark: number, affected: GraphNode<unknown>[]): void {
  if (node.visitedMark === mark) return;
  node.visitedMark = mark;
  affected.push(node);
  if (node.dependents !== undefined) for (const dependent of node.dependents) visit(dependent, mark, affected);
}

/** Runs `body` as the flush, then throws what observers threw (after every observer was told). */
function runFlush(body: () => void): void {
  flushing = true;
  try {
    body();
  } finally {
    flushing = false;
  }
  const errors = flushErrors;
  if (errors.length === 0) return;
  flushErrors = [];
  throw errors.length === 1 ? errors[0] : new AggregateError(errors, 'several signal observers failed');
}

/**
 * One consistent wave in two phases, as Svelte's stores do: every affected observer is
 * invalidated, then each gets its value. So a Svelte `derived` over several signals waits until
 * all of its changed inputs have arrived instead of computing from a mix of old and new.
 */
function wave(nodes: readonly GraphNode<unknown>[]): void {
  // Nobody to invalidate (no Svelte store subscriber is live): deliver in one pass, allocation-free.
  if (invalidatingObservers === 0) {
    for (const node of nodes) node.collect(undefined);
    return;
  }
  const deliveries: Delivery[] = [];
  for (const node of nodes) node.collect(deliveries);
  for (const d of deliveries) if (d.record.invalidate !== undefined) attempt(d.record.invalidate);
  for (const d of deliveries) if (d.failure || !d.record.closed) attempt(d.run);
}

function deliverNow<T>(record: ObserverRecord<T>, value: T): void {
  try {
    record.deliver(value);
  } catch (err) {
    flushErrors.push(err);
  }
}

function attempt(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    flushErrors.push(err);
  }
}
